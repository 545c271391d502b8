package billing

import (
	"strconv"
	"strings"
)

// MaxAmount bounds any amount, in minor units (10¹² — a trillion cents
// — keeps every sum far from int64 overflow).
const MaxAmount int64 = 1_000_000_000_000

// Money is an amount in the minor units of an ISO 4217 currency: 4900 EUR
// is €49.00, 4900 JPY is ¥4900.
type Money struct {
	Amount   int64
	Currency string // ISO 4217, upper case
}

// iso4217 lists the active ISO 4217 codes.
const iso4217 = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB
BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON
RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG`

// exponents are the currencies whose minor unit is not 1/100.
var exponents = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

var currencies = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(iso4217) {
		m[c] = true
	}
	return m
}()

// CheckCurrency validates an ISO 4217 code and returns it upper-cased.
func CheckCurrency(field, s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if !currencies[c] {
		return "", Invalid(field, "is not an ISO 4217 currency code")
	}
	return c, nil
}

// Exponent is the number of decimal digits of currency's minor unit.
func Exponent(currency string) int {
	if e, ok := exponents[currency]; ok {
		return e
	}
	return 2
}

// Decimal writes amount minor units of currency as a decimal number:
// Decimal(4905, "EUR") = "49.05", Decimal(4905, "JPY") = "4905".
func Decimal(amount int64, currency string) string {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	s := strconv.FormatInt(amount, 10)
	if e := Exponent(currency); e > 0 {
		for len(s) <= e {
			s = "0" + s
		}
		s = s[:len(s)-e] + "." + s[len(s)-e:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String is e.g. "49.05 EUR".
func (m Money) String() string { return Decimal(m.Amount, m.Currency) + " " + m.Currency }

func checkAmount(field string, v int64, allowZero bool) error {
	if v < 0 || v > MaxAmount || (v == 0 && !allowZero) {
		return Invalid(field, "must be a whole number of minor units between 1 and 10^12")
	}
	return nil
}

// ParseDecimal reads a decimal amount of currency written with at most
// its exponent's digits after the point ("49.05" EUR is 4905), as
// providers that speak in major units (Alipay) write them. No floats.
func ParseDecimal(s, currency string) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	e := Exponent(currency)
	if whole == "" || len(whole) > 13 || (dot && (frac == "" || len(frac) > e)) {
		return 0, Invalid("amount", "is not a decimal amount of "+currency)
	}
	for len(frac) < e {
		frac += "0"
	}
	var v int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, Invalid("amount", "is not a decimal amount of "+currency)
		}
		v = v*10 + int64(c-'0')
	}
	if v > MaxAmount {
		return 0, Invalid("amount", "is too large")
	}
	return v, nil
}

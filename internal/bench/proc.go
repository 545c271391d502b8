package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, fixed
// at 100 in Linux's user-space ABI.
const userHZ = 100

// procSample is one reading of a process's CPU time and memory.
type procSample struct {
	At     time.Time
	CPU    time.Duration // user + system
	RSS    int64         // bytes resident now
	HWM    int64         // peak resident bytes
	Thread int
}

func procDir(pid int) string {
	if pid == 0 {
		return "/proc/self"
	}
	return "/proc/" + strconv.Itoa(pid)
}

// sampleProc reads /proc/<pid>/stat and /proc/<pid>/status (pid 0: self).
func sampleProc(pid int) (procSample, error) {
	s := procSample{At: time.Now()}
	stat, err := os.ReadFile(procDir(pid) + "/stat")
	if err != nil {
		return s, err
	}
	// The command name is in parentheses and may hold spaces: fields are
	// counted after the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("bench: unexpected %s/stat", procDir(pid))
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return s, fmt.Errorf("bench: short %s/stat", procDir(pid))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return s, fmt.Errorf("bench: unreadable CPU times in %s/stat", procDir(pid))
	}
	s.CPU = time.Duration(ut+st) * time.Second / userHZ
	status, err := os.ReadFile(procDir(pid) + "/status")
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "VmRSS":
			s.RSS = kB(v)
		case "VmHWM":
			s.HWM = kB(v)
		case "Threads":
			s.Thread, _ = strconv.Atoi(v)
		}
	}
	return s, nil
}

func kB(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	return n * 1024
}

// Machine describes where a run happened.
type Machine struct {
	Model       string `json:"model"`        // /proc/cpuinfo model name
	Cores       int    `json:"cores"`        // CPUs online (/proc/cpuinfo processors)
	UsableCores int    `json:"usable_cores"` // CPUs this process may run on (affinity)
	GOMAXPROCS  int    `json:"gomaxprocs"`
	Kernel      string `json:"kernel"`
	GoVersion   string `json:"go_version"`
	OS          string `json:"os"`
	Arch        string `json:"arch"`
	MemTotalMB  int64  `json:"mem_total_mb"`
	Hostname    string `json:"hostname"`
	// LoadAvg is /proc/loadavg (1, 5, 15 min) when the run started: other
	// work on the machine skews every figure.
	LoadAvg [3]float64 `json:"load_avg"`
}

// loadAvg returns /proc/loadavg's three averages, or -1s.
func loadAvg() [3]float64 {
	out := [3]float64{-1, -1, -1}
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		out[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return out
}

func readMachine() Machine {
	m := Machine{UsableCores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH}
	m.Hostname, _ = os.Hostname()
	m.LoadAvg = loadAvg()
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "processor":
				m.Cores++
			case "model name":
				if m.Model == "" {
					m.Model = strings.TrimSpace(v)
				}
			}
		}
	}
	if m.Cores == 0 {
		m.Cores = m.UsableCores
	}
	if m.Model == "" {
		m.Model = "unknown"
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				m.MemTotalMB = kB(v) >> 20
			}
		}
	}
	return m
}

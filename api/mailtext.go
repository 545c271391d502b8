package api

import (
	"strings"

	"github.com/lectern/lectern/classroom"
)

// Mail texts, in the recipient's language (zh-CN for any Chinese
// preference, English otherwise).

func chinese(a classroom.Account) bool {
	return strings.HasPrefix(strings.ToLower(a.Language), "zh")
}

// resetMail is the password-reset message with its one-hour link.
func resetMail(a classroom.Account, link string) Message {
	if chinese(a) {
		return Message{To: a.Email, Subject: "重置你的 Lectern 密码",
			Body: "有人请求重置你的 Lectern 账号密码。\n\n" +
				"请在一小时内打开以下链接设置新密码：\n\n" + link + "\n\n" +
				"如果这不是你本人的操作，请忽略本邮件，你的密码不会改变。\n"}
	}
	return Message{To: a.Email, Subject: "Reset your Lectern password",
		Body: "Someone asked to reset the password of your Lectern account.\n\n" +
			"To choose a new password, open this link within an hour:\n\n" + link + "\n\n" +
			"If it was not you, ignore this message; your password stays as it is.\n"}
}

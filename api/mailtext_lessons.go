package api

import (
	"fmt"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Lesson mail texts (cancellation, move, reminders), in the recipient's
// language. Accounts carry no time zone, so times are written in UTC and
// the mail links to the course page, which shows them in the reader's
// own zone.

// mailTime writes t for a mail in a's language.
func mailTime(a classroom.Account, t time.Time) string {
	t = t.UTC()
	if chinese(a) {
		return fmt.Sprintf("%d年%d月%d日 %02d:%02d（UTC）", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
	}
	return t.Format("Mon 2 Jan 2006, 15:04 UTC")
}

// lessonMailFacts is what a lesson mail says.
type lessonMailFacts struct {
	Kind   string // a classroom.Mailing… kind
	Course classroom.Course
	Lesson classroom.Lesson
	Was    time.Time // a moved lesson's previous start
	Reason string    // a cancellation's reason
	Link   string    // the course page, "" without a public URL
}

// lessonMail writes the mail about f to a.
func lessonMail(a classroom.Account, f lessonMailFacts) classroom.Mail {
	zh := chinese(a)
	when := mailTime(a, f.Lesson.StartsAt)
	var subject, body string
	switch f.Kind {
	case classroom.MailingCancelled:
		if zh {
			subject = fmt.Sprintf("课程取消：%s", f.Lesson.Title)
			body = fmt.Sprintf("《%s》原定于 %s 的课程“%s”已被老师取消。\n", f.Course.Title, when, f.Lesson.Title)
			if f.Reason != "" {
				body += "\n取消原因：" + f.Reason + "\n"
			}
			body += "\n如果你购买了这门课程，可以在“我的购买”页面按课程的退款政策申请退款。\n"
		} else {
			subject = "Lesson cancelled: " + f.Lesson.Title
			body = fmt.Sprintf("The lesson \"%s\" of %s, planned for %s, has been cancelled by its teacher.\n",
				f.Lesson.Title, f.Course.Title, when)
			if f.Reason != "" {
				body += "\nReason: " + f.Reason + "\n"
			}
			body += "\nIf you bought this course, you can ask for a refund under the course's refund policy from your Purchases page.\n"
		}
	case classroom.MailingMoved:
		was := mailTime(a, f.Was)
		if zh {
			subject = fmt.Sprintf("课程改期：%s", f.Lesson.Title)
			body = fmt.Sprintf("《%s》的课程“%s”已从 %s 改到 %s，时长 %d 分钟。\n",
				f.Course.Title, f.Lesson.Title, was, when, int(f.Lesson.Duration/time.Minute))
		} else {
			subject = "Lesson moved: " + f.Lesson.Title
			body = fmt.Sprintf("The lesson \"%s\" of %s has moved from %s to %s (%d minutes).\n",
				f.Lesson.Title, f.Course.Title, was, when, int(f.Lesson.Duration/time.Minute))
		}
	default: // reminders
		soon := f.Kind == classroom.MailingReminderSoon
		if zh {
			subject = fmt.Sprintf("课程提醒：%s，%s 开始", f.Lesson.Title, when)
			if soon {
				subject = fmt.Sprintf("课程即将开始：%s", f.Lesson.Title)
			}
			body = fmt.Sprintf("《%s》的课程“%s”将于 %s 开始，时长 %d 分钟。\n",
				f.Course.Title, f.Lesson.Title, when, int(f.Lesson.Duration/time.Minute))
		} else {
			subject = fmt.Sprintf("Reminder: %s starts %s", f.Lesson.Title, when)
			if soon {
				subject = "Starting soon: " + f.Lesson.Title
			}
			body = fmt.Sprintf("The lesson \"%s\" of %s starts %s and lasts %d minutes.\n",
				f.Lesson.Title, f.Course.Title, when, int(f.Lesson.Duration/time.Minute))
		}
	}
	if f.Link != "" {
		if zh {
			body += "\n课程页面：" + f.Link + "\n"
		} else {
			body += "\nCourse page: " + f.Link + "\n"
		}
	}
	return classroom.Mail{To: a.Email, Subject: subject, Body: body}
}

// lessonNoticeVars are the values of the in-app notice sent with a lesson
// mail; the client writes the sentence and the time in the reader's
// language and zone.
func lessonNoticeVars(f lessonMailFacts) map[string]string {
	v := map[string]string{"course": f.Course.Title, "course_id": f.Course.ID, "lesson": f.Lesson.Title,
		"lesson_id": f.Lesson.ID, "starts_at": f.Lesson.StartsAt.UTC().Format(time.RFC3339)}
	if !f.Was.IsZero() {
		v["was"] = f.Was.UTC().Format(time.RFC3339)
	}
	if f.Reason != "" {
		v["reason"] = f.Reason
	}
	return v
}

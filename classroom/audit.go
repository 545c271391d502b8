package classroom

import (
	"encoding/json"
	"time"
)

// AuditEntry is one line of the append-only audit log: who did what to
// which thing, when, from where, and the thing before and after (JSON, ""
// when not applicable). Entries are never changed or deleted.
type AuditEntry struct {
	ID         string
	At         time.Time
	ActorID    string
	ActorEmail string
	IP         string
	Action     AuditAction
	TargetType string // "course", "account", "teacher_application", "price", "refund"
	TargetID   string
	Before     string
	After      string
}

// AuditAction names an audited action.
type AuditAction string

// The audited actions: every review decision, role change, account
// disabling, trust, forced sign-out, teacher application decision, price
// change, refund decision, material review and an admin's end of a live
// lesson.
const (
	AuditCourseApprove     AuditAction = "course.approve"
	AuditCourseReject      AuditAction = "course.reject"
	AuditCourseUnpublish   AuditAction = "course.unpublish"
	AuditCourseArchive     AuditAction = "course.archive"
	AuditAccountRoles      AuditAction = "account.roles"
	AuditAccountDisable    AuditAction = "account.disable"
	AuditAccountEnable     AuditAction = "account.enable"
	AuditAccountSignOutAll AuditAction = "account.sign_out_everywhere"
	AuditTeacherApprove    AuditAction = "teacher_application.approve"
	AuditTeacherReject     AuditAction = "teacher_application.reject"
	AuditPriceSet          AuditAction = "price.set"
	AuditPriceRemove       AuditAction = "price.remove"
	AuditRefundApprove     AuditAction = "refund.approve"
	AuditRefundDecline     AuditAction = "refund.decline"
	AuditRefundAdmin       AuditAction = "refund.admin"
	AuditAccountTrust      AuditAction = "account.trust"
	AuditAccountUntrust    AuditAction = "account.untrust"
	AuditMaterialApprove   AuditAction = "material.approve"
	AuditMaterialReject    AuditAction = "material.reject"
	AuditLessonEnd         AuditAction = "lesson.end"
)

// AuditedActions lists every action the log records, for the admin
// console's filter and the test that checks each is written.
func AuditedActions() []AuditAction {
	return []AuditAction{AuditCourseApprove, AuditCourseReject, AuditCourseUnpublish, AuditCourseArchive,
		AuditAccountRoles, AuditAccountDisable, AuditAccountEnable, AuditAccountSignOutAll,
		AuditTeacherApprove, AuditTeacherReject, AuditPriceSet, AuditRefundDecline, AuditRefundApprove,
		AuditRefundAdmin, AuditPriceRemove, AuditAccountTrust, AuditAccountUntrust, AuditMaterialApprove,
		AuditMaterialReject, AuditLessonEnd}
}

// AuditQuery filters the audit log; empty fields match everything. Text
// matches the actor's email, the target's ID or the before/after text.
type AuditQuery struct {
	Action  AuditAction
	ActorID string
	Target  string
	Text    string
	Since   time.Time
	Until   time.Time
	Page
}

// NewAuditEntry is the audit entry of actor's action, taken from ip at
// at, on a target (targetType, targetID), with the target before and
// after as JSON. Every door that audits builds its entries here.
func NewAuditEntry(actor Account, ip string, at time.Time, action AuditAction, targetType, targetID string,
	before, after any) AuditEntry {
	return AuditEntry{At: at, ActorID: actor.ID, ActorEmail: actor.Email, IP: ip, Action: action,
		TargetType: targetType, TargetID: targetID, Before: auditJSON(before), After: auditJSON(after)}
}

// auditJSON is v as an entry's before or after ("" for nil or what does
// not marshal).
func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

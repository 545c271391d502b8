package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/pgtest"
)

const crashHelperEnv = "LECTERN_STORE_CRASH_HELPER"

func pgURL(t *testing.T) string { return pgtest.URL(t) }

// crashHelper runs in a child process: it writes accounts (each with a
// course, so two rows per transaction) as fast as it can and prints each
// email once its transaction has committed, until it is killed.
func crashHelper() {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: os.Getenv(crashHelperEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if _, err := s.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := range 1_000_000 {
		a, _ := classroom.NewAccount(fmt.Sprintf("crash%d@example.org", i), "Crash", "h", time.Now())
		a.Roles = classroom.Roles{classroom.RoleTeacher}
		if err := s.CreateAccount(ctx, a); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		title := "Course " + a.Email
		c, _ := classroom.NewCourse(a, classroom.CourseChange{Title: &title}, time.Now())
		if err := s.CreateCourse(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintln(w, a.Email)
		w.Flush()
	}
}

// TestKilledProcessKeepsCommits kills a writing process with SIGKILL and
// checks that everything it reported committed is there, and that the
// database is intact.
func TestKilledProcessKeepsCommits(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var committed []string
	sc := bufio.NewScanner(out)
	for len(committed) < 40 && sc.Scan() {
		committed = append(committed, sc.Text())
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(committed) < 40 {
		t.Fatalf("helper committed only %d accounts before dying", len(committed))
	}

	ctx := context.Background()
	s := openTest(t, Config{DataDir: dir})
	for _, email := range committed {
		a, err := s.AccountByEmail(ctx, email)
		if err != nil {
			t.Fatalf("committed account %s lost: %v", email, err)
		}
		if cs, _ := s.ListCourses(ctx, classroom.CourseQuery{TeacherID: a.ID}); len(cs) != 1 {
			t.Errorf("committed course of %s lost", email)
		}
	}
	var check string
	if err := s.db.queryRow(ctx, "PRAGMA integrity_check", []any{&check}); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
}

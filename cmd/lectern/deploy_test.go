package main

import (
	"flag"
	"net"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// addrProto is the protocol each listen-address flag opens.
var addrProto = map[string]string{
	"addr": "tcp", "ice-udp": "udp", "ice-tcp": "tcp", "turn-udp": "udp", "turn-tcp": "tcp", "turn-tls": "tcp",
	"metrics-addr": "tcp", "pprof": "tcp",
}

func serveFlagFor(t *testing.T, fs *flag.FlagSet, env string) *flag.Flag {
	t.Helper()
	name := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "LECTERN_")), "_", "-")
	return fs.Lookup(name)
}

// publishedFrom returns "port/proto" for every address flag the variables set.
func publishedFrom(t *testing.T, fs *flag.FlagSet, vars map[string]string, file string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for env, val := range vars {
		f := serveFlagFor(t, fs, env)
		if f == nil {
			continue
		}
		proto, ok := addrProto[f.Name]
		if !ok || val == "" {
			continue
		}
		_, port, err := net.SplitHostPort(val)
		if err != nil {
			t.Errorf("%s: %s=%q is not a listen address: %v", file, env, val, err)
			continue
		}
		out[port+"/"+proto] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var lecternVar = regexp.MustCompile(`LECTERN_[A-Z0-9_]+`)

// checkVars checks that every LECTERN_ variable a file names is a flag of
// lectern serve and that literal values are accepted by it.
func checkVars(t *testing.T, file, text string, vars map[string]string) {
	t.Helper()
	var f serveFlags
	fs := f.flagSet()
	for _, v := range lecternVar.FindAllString(text, -1) {
		if serveFlagFor(t, fs, v) == nil {
			t.Errorf("%s names %s, but lectern serve has no flag --%s", file, v,
				strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(v, "LECTERN_")), "_", "-"))
		}
	}
	for env, val := range vars {
		if fl := serveFlagFor(t, fs, env); fl != nil && !strings.Contains(val, "${") {
			if err := fs.Set(fl.Name, val); err != nil {
				t.Errorf("%s: %s=%q is refused by --%s: %v", file, env, val, fl.Name, err)
			}
		}
	}
}

// TestComposeMatchesFlags: every LECTERN_ variable in docker-compose.yml
// is a flag of lectern serve, and the ports published are exactly those
// its listen-address variables open.
func TestComposeMatchesFlags(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	vars := map[string]string{}
	envLine := regexp.MustCompile(`(?m)^\s+(LECTERN_[A-Z0-9_]+):\s*(.*)$`)
	for _, m := range envLine.FindAllStringSubmatch(text, -1) {
		vars[m[1]] = strings.Trim(strings.TrimSpace(m[2]), `"`)
	}
	if len(vars) < 8 {
		t.Fatalf("found only %d LECTERN_ variables in docker-compose.yml", len(vars))
	}
	checkVars(t, "docker-compose.yml", text, vars)
	if !strings.Contains(vars["LECTERN_PUBLIC_IP"], ":?") {
		t.Error("docker-compose.yml must require LECTERN_PUBLIC_IP (${LECTERN_PUBLIC_IP:?...})")
	}
	var f serveFlags
	want := publishedFrom(t, f.flagSet(), vars, "docker-compose.yml")
	got := map[string]bool{}
	port := regexp.MustCompile(`(?m)^\s+- "(\d+):(\d+)/(udp|tcp)"$`)
	for _, m := range port.FindAllStringSubmatch(text, -1) {
		if m[1] != m[2] {
			t.Errorf("port %s published as %s: ICE and TURN announce the container's port, so both must match", m[2], m[1])
		}
		got[m[2]+"/"+m[3]] = true
	}
	if strings.Join(keys(got), " ") != strings.Join(keys(want), " ") {
		t.Errorf("docker-compose.yml publishes %v; its LECTERN_ listen addresses open %v", keys(got), keys(want))
	}
	if !strings.Contains(text, "pg_isready") || !strings.Contains(text, "condition: service_healthy") {
		t.Error("PostgreSQL has no health check that Lectern waits for")
	}
	if !strings.Contains(text, "lectern\", \"probe\", \"http://127.0.0.1:"+strings.TrimPrefix(vars["LECTERN_ADDR"], ":")+"/readyz") {
		t.Error("Lectern's health check does not probe /readyz on LECTERN_ADDR")
	}
}

// TestDockerfileMatchesFlags: the image's LECTERN_ variables are flags,
// it EXPOSEs exactly the ports they open, and it carries CA certificates.
func TestDockerfileMatchesFlags(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`(LECTERN_[A-Z0-9_]+)=(\S+)`).FindAllStringSubmatch(text, -1) {
		vars[m[1]] = m[2]
	}
	checkVars(t, "Dockerfile", text, vars)
	var f serveFlags
	want := publishedFrom(t, f.flagSet(), vars, "Dockerfile")
	got := map[string]bool{}
	if m := regexp.MustCompile(`(?m)^EXPOSE (.*)$`).FindStringSubmatch(text); m != nil {
		for _, p := range strings.Fields(m[1]) {
			got[p] = true
		}
	}
	if strings.Join(keys(got), " ") != strings.Join(keys(want), " ") {
		t.Errorf("Dockerfile EXPOSEs %v; its LECTERN_ listen addresses open %v", keys(got), keys(want))
	}
	if !strings.Contains(text, "ca-certificates") {
		t.Error("the image has no CA certificates")
	}
	if !strings.Contains(text, "USER ") {
		t.Error("the image runs as root")
	}
}

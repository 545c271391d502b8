// Package e2e holds Lectern's browser end-to-end tests. They start the whole
// server in-process on 127.0.0.1:0 and drive Debian's Chromium (headless,
// fake camera and microphone) with the Node scripts in scripts/, which use
// playwright-core and print JSON lines; some tests add a Pion peer as a
// second participant.
//
// Needs node, /usr/bin/chromium and `npm ci --prefix e2e`. Without them the
// tests skip, or fail when LECTERN_REQUIRE_ALL=1.
//
// LECTERN_E2E_BASE_URL and LECTERN_E2E_SECRET point the tests at a server
// that is already running instead of an in-process one.
//
// The package has no non-test code and nothing imports it.
package e2e

package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pdfText is the text of a PDF by poppler's pdftotext, with runs of white space made one.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	f := filepath.Join(t.TempDir(), "agenda.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return regexp.MustCompile(`\s+`).ReplaceAllString(string(out), " ")
}

func TestPrintedAgenda(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	page := fmt.Sprintf("/meetings/%d", d.next.ID)
	clerk := s.signedIn(t, "clerk@northvale.example")
	if !strings.Contains(clerk.get(page).body, `href="`+page+`/agenda.pdf"`) {
		t.Error("the meeting page does not link the printed agenda")
	}
	// An exempt item, with its presenter and timing.
	m := s.meeting(t, d.next.ID)
	item := itemTitled(t, m, "Violence Reduction Action Plan: verbal update")
	wantCode(t, "make exempt", clerk.post(fmt.Sprintf("/items/%d", item.ID), url.Values{"title": {item.Title}, "purpose": {"verbal update"},
		"presenter": {"Supt Daniel Reyes"}, "duration_minutes": {"15"}, "exempt": {"1"}, "exempt_reason": {"Schedule 12A paragraph 7"}}), 303)
	m = s.meeting(t, d.next.ID)

	res := clerk.get(page + "/agenda.pdf")
	wantCode(t, "printed agenda", res, 200)
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(res.Header.Get("Content-Disposition"), "agenda-nscp-") {
		t.Errorf("headers: %s, %s", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	text := pdfText(t, []byte(res.body))
	for _, want := range []string{d.board.Name, "Agenda", "Membership", "Clerk", d.board.ClerkName, "Exempt: Schedule 12A paragraph 7"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed agenda lacks %q:\n%s", want, text)
		}
	}
	// Every item, in order, with its presenter where it has one.
	at := 0
	for _, it := range m.Items {
		if it.PostponedTo != 0 {
			continue
		}
		want := it.Number + " " + it.Title
		i := strings.Index(text[at:], want)
		if i < 0 {
			t.Fatalf("item %q is missing or out of order:\n%s", want, text)
		}
		at += i + len(want)
		if it.Presenter != "" {
			j := strings.Index(text[at:], it.Presenter)
			if j < 0 || j > 200 {
				t.Errorf("item %s is not shown with its presenter %q", it.Number, it.Presenter)
			}
		}
	}

	// The public reads the agenda of the public board, without the exempt item's detail.
	anon := s.client()
	anon.t = t
	res = anon.get(page + "/agenda.pdf")
	wantCode(t, "public printed agenda", res, 200)
	public := pdfText(t, []byte(res.body))
	if !strings.Contains(public, item.Number+" "+item.Title) || !strings.Contains(public, "Exempt: Schedule 12A paragraph 7") {
		t.Errorf("the public agenda lacks the exempt item's title or reason:\n%s", public)
	}
	if strings.Contains(public, "Supt Daniel Reyes – 15 minutes") || strings.Contains(public, "Verbal update – Supt Daniel Reyes") {
		t.Errorf("the public sees the exempt item's presenter:\n%s", public)
	}
}

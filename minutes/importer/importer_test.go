package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"quorum/minutes"
)

var updateImport = flag.Bool("update-import", false, "rewrite the importer's golden markdown files")

// checkParses fails unless md reads as minutes with no errors, front matter included.
func checkParses(t testing.TB, md []byte) *minutes.Parsed {
	t.Helper()
	if _, _, _, err := minutes.SplitFrontMatter(md); err != nil {
		t.Fatalf("front matter: %v\n%s", err, md)
	}
	p := minutes.Parse(md, minutes.Options{})
	if len(p.Errors) > 0 {
		t.Fatalf("the import does not parse: %+v\n%s", p.Errors, md)
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.md")
	if *updateImport {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./minutes/importer -update-import)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (run with -update-import to accept):\n%s", name, got)
	}
}

func TestGoldenText(t *testing.T) {
	for _, tc := range []struct {
		file                        string
		items, resolutions, actions int
		owners                      string
		wantLines                   []string
	}{
		{"eastbrook-2024-06.txt", 9, 5, 3, "GP, Partners, Helen Stroud", []string{
			`board: "Eastbrook Community Safety Partnership"`,
			"meeting: 2024-06-12T14:00",
			`place: "Eastbrook Town Hall, Committee Room 2"`,
			`  - {name: "Councillor Maria Okonjo", role: "Chairman", organisation: "Cabinet Member for Safer Streets"}`,
			`  - {name: "Bea Martins", substituting_for: "Carl Weir"}`,
			`  - {name: "Carl Weir", organisation: "Eastbrook Homes"}`,
			`ended: "3.40 pm"`,
			"## 1. Welcome and Introductions",
			"### 5a. Priority One–Neighbourhood Crime",
			"### 5b. Priority Two–Serious Violence",
			"> Post-meeting note: the scheme has since been funded until March 2025",
			"RESOLVED that\n\n1. The Partnership adopts the serious violence strategy for 2024-2027.\n2. Each partner",
			"ACTION @GP: circulate the ward figures to partners",
			"ACTION @partners: Each partner organisation names a lead officer for the duty and sends their details to Sunita Rao (by 31st July 2024)",
			"ACTION @Helen-Stroud: bring the evaluation (by the September meeting)",
			"The date of the next meeting was noted as 18th September 2024",
		}},
		{"westfield-2024-11.txt", 4, 3, 2, "JB, SI", []string{
			`board: "Westfield Health and Wellbeing Board"`,
			"meeting: 2024-11-14T10:30",
			`place: "Council Chamber, Westfield House"`,
			`  - {name: "Cllr Ann Hale", role: "Chair"}`,
			`  - {name: "Sam Idowu", organisation: "NHS Westfield"}`,
			`  - {name: "Peter Lund", role: "Clerk"}`,
			`  - {name: "Mo Khan"}`,
			"## 2. Joint Health and Wellbeing Strategy",
			"Jo Banks presented the draft refresh of the strategy. Partners welcomed the stronger focus on prevention.",
			"RESOLVED that the draft strategy be published for consultation.",
			"ACTION @JB: circulate the consultation plan to members (by 29 November 2024)",
			"RESOLVED:\n\n1. that the quarter 2 return be noted; and\n2. that the Chair sign off",
			"ACTION @SI: the Chair sign off the quarter 3 return on behalf of the Board",
			`ended: "12.05 pm"`,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := FromText(f)
			if err != nil {
				t.Fatal(err)
			}
			p := checkParses(t, res.Markdown)
			golden(t, strings.TrimSuffix(tc.file, ".txt"), res.Markdown)
			md := string(res.Markdown)
			for _, w := range tc.wantLines {
				if !strings.Contains(md, w) {
					t.Errorf("the markdown lacks %q", w)
				}
			}
			s := res.Summary
			if s.Items != tc.items || s.Resolutions != tc.resolutions || s.Actions != tc.actions {
				t.Errorf("found %d items, %d resolutions, %d actions; want %d, %d, %d", s.Items, s.Resolutions, s.Actions, tc.items, tc.resolutions, tc.actions)
			}
			if len(p.Items) != s.Items {
				t.Errorf("summary says %d items, Parse %d", s.Items, len(p.Items))
			}
			if got := strings.Join(s.Owners, ", "); got != tc.owners {
				t.Errorf("owners %q, want %q", got, tc.owners)
			}
			if len(s.Unmatched) != len(s.Owners) {
				t.Errorf("without Options.Owners every owner is unmatched: %v of %v", s.Unmatched, s.Owners)
			}
			if len(res.Highlights) == 0 {
				t.Error("no highlights")
			}
		})
	}
}

// The reference minutes in ../../shared (when present) must import and parse; the counts are
// those the importer's report quotes.
func TestReferenceMinutes(t *testing.T) {
	for _, tc := range []struct {
		path                        string
		items, resolutions, actions int
	}{
		{"../../../shared/reference/partnership-minutes-2021-03.txt", 17, 11, 3},
		{"../../../shared/reference/vrap-standing-item-minute.txt", 1, 3, 2},
	} {
		b, err := os.ReadFile(tc.path)
		if err != nil {
			t.Skipf("reference text not here: %v", err)
		}
		res, err := FromText(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		checkParses(t, res.Markdown)
		s := res.Summary
		if s.Items != tc.items || s.Resolutions != tc.resolutions || s.Actions != tc.actions {
			t.Errorf("%s: %d items, %d resolutions, %d actions; want %d, %d, %d", tc.path, s.Items, s.Resolutions, s.Actions, tc.items, tc.resolutions, tc.actions)
		}
	}
}

func TestOwnersHook(t *testing.T) {
	res, err := FromText(strings.NewReader("1. Budget\n\nJS to circulate the budget by next meeting.\n\nKim Lowe to confirm the venue.\n"), Options{
		Owners: func(name string) (string, bool) {
			if name == "JS" {
				return "jane.smith", true
			}
			return "", false
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkParses(t, res.Markdown)
	md := string(res.Markdown)
	for _, w := range []string{"ACTION @jane.smith: circulate the budget (by next meeting)", "ACTION @Kim-Lowe: confirm the venue"} {
		if !strings.Contains(md, w) {
			t.Errorf("lacks %q:\n%s", w, md)
		}
	}
	if got := strings.Join(res.Summary.Unmatched, ","); got != "Kim Lowe" {
		t.Errorf("unmatched %q", got)
	}
}

// Each shape the importer recognises, in a small text of its own.
func TestShapes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		notWant  []string
	}{
		{"numbered item", "1. Welcome\n\nThe Chair welcomed members.\n", []string{"## 1. Welcome\n"}, nil},
		{"item word", "Item 7: Budget monitoring\n\nNoted.\n", []string{"## 7. Budget monitoring\n"}, nil},
		{"minute number", "47/21 Budget monitoring\n\nNoted.\n\n48/21 Any other business\n\nNone.\n", []string{"## 1. Budget monitoring {#47/21}", "## 2. Any other business {#48/21}"}, nil},
		{"margin with tabs", "1\tBUDGET MONITORING\tAction\n\tNoted.\t\n", []string{"## 1. Budget Monitoring\n"}, nil},
		{"minute number in the margin", "52\tBUDGET\tAction\n\tNoted.\t\n53\tRISKS\tAction\n", []string{"## 1. Budget {#52}", "## 2. Risks {#53}"}, nil},
		{"sub-items", "1. Budget\n\n1a Capital\n\nNoted.\n\n1(b) Revenue\n\nNoted.\n", []string{"### 1a. Capital\n", "### 1b. Revenue\n"}, nil},
		{"resolved", "1. Budget\n\nRESOLVED that the report be noted.\n", []string{"RESOLVED that the report be noted."}, nil},
		{"agreed", "1. Budget\n\nAGREED that the plan be approved.\n", []string{"RESOLVED that the plan be approved."}, nil},
		{"agreed in prose is prose", "1. Budget\n\nPartners agreed that the plan was sound.\n", []string{"Partners agreed that the plan was sound."}, []string{"RESOLVED"}},
		{"board resolved with list", "1. Budget\n\nThe Board RESOLVED:\n(1) that the report be noted;\n(2) that the plan be approved.\n", []string{"RESOLVED:\n\n1. that the report be noted;\n2. that the plan be approved."}, nil},
		{"resolved that, list as 1.", "1. Budget\n\nRESOLVED that\n\n1. the report be noted;\n\n2. the plan be approved.\n", []string{"RESOLVED that\n\n1. the report be noted;\n2. the plan be approved."}, nil},
		{"resolved that, text after", "1. Budget\n\nRESOLVED that\n\nthe report be noted.\n", []string{"RESOLVED that the report be noted."}, nil},
		{"action initials", "1. Budget\n\nJo Smith will share the revised figures.\nACTION: JS\n", []string{"ACTION @JS: share the revised figures"}, []string{"@Jo-Smith"}},
		{"action column with two owners", "1\tBUDGET\tAction\n\tRESOLVED that the budget be agreed.\tJS and KP / Police\n", []string{"ACTION @JS, @KP, @Police: the budget be agreed"}, nil},
		{"action with text", "1. Budget\n\nACTION: KP to write to the police by 30/04/2021\n", []string{"ACTION @KP: write to the police (by 30/04/2021)"}, nil},
		{"to circulate by a date", "---\n1. Budget\n\nJS to circulate the report by 30 April 2021.\n", []string{"ACTION @JS: circulate the report (by 30 April 2021)"}, nil},
		{"would disseminate at a meeting", "1. VRAP\n\nThe Vice-Chair would disseminate the plan and update the Board at the September meeting.\n", []string{"ACTION @vice-chair: disseminate the plan and update the Board (by the September meeting)"}, nil},
		{"said she would", "1. VRAP\n\nThe Director said that she would update the Board at the next meeting.\n", []string{"ACTION @Director: update the Board (by next meeting)"}, nil},
		{"post-meeting note", "1. Budget\n\n(Post Meeting Note: the figures were confirmed on 3 May.)\n", []string{"> Post-meeting note: the figures were confirmed on 3 May"}, nil},
		{"html", "1. Budget\n\n<p>One.</p> <p><b>Two</b> &amp; <i>three</i>.</p>\n", []string{"One.\n\n**Two** & *three*."}, []string{"<p>"}},
		{"ended", "1. Budget\n\nThe meeting ended at 11.00 am\n", []string{`ended: "11.00 am"`, "The meeting ended at 11.00 am"}, nil},
		{"next meeting", "1. Budget\n\nThe date of the next meeting was noted as 17 th June 2021\n", []string{"## Date of next meeting", "noted as 17th June 2021"}, nil},
		{"title block", "EXAMPLE PARTNERSHIP BOARD\n\nMinutes of the virtual meeting held at 10.00 am on 25 March 2021\n\n1. Welcome\n",
			[]string{`board: "Example Partnership Board"`, "meeting: 2021-03-25T10:00", `place: "Virtual meeting"`}, nil},
		{"present list", "Minutes of the meeting held on 4 May 2022\n\nPresent:\nAl Bright (Chair)\nBo Dee, Example Police\nCy Ennis (substituting for Di Fox)\n\n1. Welcome\n",
			[]string{`{name: "Al Bright", role: "Chair"}`, `{name: "Bo Dee", organisation: "Example Police"}`, `{name: "Cy Ennis", substituting_for: "Di Fox"}`, "meeting: 2022-05-04\n"}, nil},
		{"attended for", "Present:\nAl Bright\nEd Gray\n\n1. Welcome\n\nEd Gray attended for Fay Hill.\n", []string{`{name: "Ed Gray", substituting_for: "Fay Hill"}`}, nil},
		{"apologies sentence", "1. Apologies\n\nApologies for absence were received from Al Bright (Example Council), Bo Dee and Cy Ennis.\n",
			[]string{`apologies:`, `{name: "Al Bright", organisation: "Example Council"}`, `{name: "Cy Ennis"}`}, nil},
		{"markdown in the original is escaped", "1. Budget\n\n# not a heading\n\n> not a quote\n", []string{`\# not a heading`, `\> not a quote`}, nil},
		{"unreadable action kept", "1. Budget\n\nACTION POINTS were reviewed at length by everyone present today.\n", []string{"ACTION POINTS were reviewed"}, []string{"ACTION @"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := FromText(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			checkParses(t, res.Markdown)
			md := string(res.Markdown)
			for _, w := range tc.want {
				if !strings.Contains(md, w) {
					t.Errorf("lacks %q:\n%s", w, md)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(md, w) {
					t.Errorf("has %q:\n%s", w, md)
				}
			}
		})
	}
}

func TestWindows1252(t *testing.T) {
	in := []byte("1. Budget\n\nThe \x93plan\x94 costs \xA3400 \x96 agreed.\n")
	res, err := FromText(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Markdown), "The “plan” costs £400 – agreed.") {
		t.Errorf("not converted:\n%s", res.Markdown)
	}
}

func TestBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	zipOf := func(files map[string][]byte) []byte {
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		for name, body := range files {
			f, err := w.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(body)
		}
		w.Close()
		return b.Bytes()
	}
	ole := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 600)...)
	encrypted := append(append([]byte{}, ole...), []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")...)

	docx := []struct {
		name string
		in   []byte
		want error
	}{
		{"random bytes", random, ErrNotDocx},
		{"empty", nil, ErrEmpty},
		{"a zip that is not a docx", zipOf(map[string][]byte{"hello.txt": []byte("hello")}), ErrNotDocx},
		{"a zip bomb", zipOf(map[string][]byte{"word/document.xml": bytes.Repeat([]byte(" "), maxDocxSize+1)}), ErrTooLarge},
		{"an old .doc", ole, ErrDoc},
		{"a password-protected docx", encrypted, ErrEncrypted},
		{"broken xml", zipOf(map[string][]byte{"word/document.xml": []byte("<w:document><w:body><w:p>")}), ErrNotDocx},
		{"truncated zip", zipOf(map[string][]byte{"word/document.xml": []byte("<x/>")})[:30], ErrNotDocx},
	}
	for _, tc := range docx {
		t.Run("docx/"+tc.name, func(t *testing.T) {
			_, err := FromDocx(bytes.NewReader(tc.in), int64(len(tc.in)))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	text := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"blank", []byte(" \n\t\n"), ErrEmpty},
		{"binary", random, ErrNotText},
		{"a .doc", ole, ErrDoc},
		{"a docx", zipOf(map[string][]byte{"word/document.xml": []byte("<x/>")}), ErrNotText},
	}
	for _, tc := range text {
		t.Run("text/"+tc.name, func(t *testing.T) {
			_, err := FromText(bytes.NewReader(tc.in))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzImportText(f *testing.F) {
	for _, name := range []string{"eastbrook-2024-06.txt", "westfield-2024-11.txt"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"1\tTITLE\tAction\n\tRESOLVED that\t\n\t1) a\tJS\n",
		"ACTION: \nRESOLVED:\n## 1. x {#}\n```\n",
		"Present:\n(((\n)))\nApologies for absence were received from , and .\n1. a\nJS to send x by 31/02/2021\n",
		"<p>7a x</p><ol>1. a 2. b</ol>\n> Post meeting note:\n---\n+++\n",
		"1. Budget\n\nThe Vice-Chair would circulate the plan to the next meeting (by agreement)\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := FromText(bytes.NewReader(in))
		if err != nil {
			if strings.Contains(err.Error(), "please report this") {
				t.Fatal(err)
			}
			return
		}
		checkParses(t, res.Markdown)
	})
}

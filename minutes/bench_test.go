package minutes

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"quorum/meetings"
)

// longMinutes is about 100 pages of minutes: 50 items of some 1,000 words each, with 4
// actions and a resolution per item (200 actions).
func longMinutes() string {
	var b strings.Builder
	para := strings.Repeat("Partners discussed the quarterly figures for the ward and the work of the community safety team with schools, housing providers and the voluntary sector. ", 8)
	owners := []string{"@JS", "@RT, @police", "@partners", "@chair", "@AC & @JS"}
	dues := []string{"(by next meeting)", "by 30 April 2099", "(by 2099-06-30)", ""}
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "## %d. Item number %d\n\n", i, i)
		for p := 0; p < 6; p++ {
			b.WriteString(para + "\n\n")
		}
		b.WriteString("RESOLVED that the update be noted.\n\n")
		for a := 0; a < 4; a++ {
			k := i*4 + a
			fmt.Fprintf(&b, "- ACTION %s: follow up point %d of item %d with partners %s\n", owners[k%len(owners)], a+1, i, dues[k%len(dues)])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// BenchmarkSaveMinutes parses and saves 100 pages of minutes with 200 actions: "first" is
// the first save (every action created, every item numbered), "again" a save of the same
// text with its references (every action checked and left as it is).
func BenchmarkSaveMinutes(b *testing.B) {
	text := longMinutes()
	b.Logf("%d bytes, %d lines", len(text), strings.Count(text, "\n"))
	b.Run("first", func(b *testing.B) {
		f := newFixture(b, meetings.NumberContinuous)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			start := time.Now().AddDate(0, 0, -20)
			m := &meetings.Meeting{BoardID: f.board.ID, StartsAt: start, EndsAt: start.Add(time.Hour)}
			must(b, f.meetings.ScheduleMeeting(f.ctx, m))
			b.StartTimer()
			if _, err := f.store.Save(f.ctx, m.ID, []byte(text)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("again", func(b *testing.B) {
		f := newFixture(b, meetings.NumberContinuous)
		saved := f.save(b, f.held[0], text)
		if len(saved.Parsed.Actions) != 200 {
			b.Fatalf("%d actions, want 200", len(saved.Parsed.Actions))
		}
		again := []byte(saved.Minutes.Text)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.store.Save(f.ctx, f.held[0].ID, again); err != nil {
				b.Fatal(err)
			}
		}
	})
}

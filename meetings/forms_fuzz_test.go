package meetings

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
)

// FuzzMeetingDates feeds the date and time fields of the meeting forms (a meeting's date
// and time; a series as a list of dates, or a first date every few months until a last)
// any text: they never panic, what they refuse is an input error naming its field, and
// what they read is a time on the board's clock, at most the 60 of a series.
func FuzzMeetingDates(f *testing.F) {
	gin.SetMode(gin.TestMode)
	f.Add("2026-06-17", "10:00", "", "2026-06-18", "3", "")
	f.Add("2026-06-17", "", "2026-09-17\n2026-12-10, 2027-03-18; 2027-03-18", "", "", "")
	f.Add("2026-02-30", "24:00", "17/09/2026", "2026-06-18", "0", "2026-01-01")
	f.Add(" 2026-06-17 ", "9:5", "", "0001-01-01", "12", "9999-12-31")
	f.Add("2026-03-29", "01:30", "", "2026-01-31", "1", "2026-12-31") // the clocks go forward at 01:00
	f.Add("", "", ",,;\n", "2026-06-18", "-1", "x")
	b := &Board{DefaultStart: "10:00", YearStartMonth: 5}
	f.Fuzz(func(t *testing.T, date, clock, dates, first, every, until string) {
		inputError := func(what string, err error) {
			if errs.Code(err) != errs.Invalid || errs.FieldOf(err) == "" {
				t.Fatalf("%s: not an input error on a field: %v (%s)", what, err, errs.Code(err))
			}
		}
		if at, err := parseLocal(date, clock); err != nil {
			inputError("parseLocal", err)
		} else if at.IsZero() || at.Location() != London {
			t.Fatalf("parseLocal(%q, %q) = %v", date, clock, at)
		}
		form := url.Values{"series_time": {clock}, "dates": {dates}, "first_date": {first}, "every": {every}, "until": {until}}
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/boards/1/series", strings.NewReader(form.Encode()))
		c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		starts, err := seriesStarts(c, b)
		if err != nil {
			inputError("seriesStarts", err)
			return
		}
		if strings.TrimSpace(dates) == "" && len(starts) > 60 {
			t.Fatalf("a series of %d meetings", len(starts))
		}
		for _, s := range starts {
			if s.IsZero() || s.Location() != London {
				t.Fatalf("series start %v", s)
			}
		}
	})
}

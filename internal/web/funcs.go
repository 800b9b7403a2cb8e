package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Funcs are the template functions every page may use.
var Funcs = template.FuncMap{
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"fieldError": func(list any, field string) string {
		if fe, ok := list.([]FieldError); ok {
			for _, e := range fe {
				if e.Field == field {
					return e.Message
				}
			}
		}
		return ""
	},
	"formatDate": func(v any) string {
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				return ""
			}
			return t.In(london).Format("2 January 2006")
		case string:
			if d, err := time.Parse("2006-01-02", t); err == nil {
				return d.Format("2 January 2006")
			}
			return t
		}
		return ""
	},
	"formatDateTime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(london).Format("2 January 2006, 3.04 pm")
	},
	"formatTime": func(t time.Time) string { return t.In(london).Format("3.04 pm") },
	"add":        func(a, b int) int { return a + b },
	"months": func() []string {
		return []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	},
	"modes": func() []string { return []string{"in_person", "virtual", "hybrid"} },
	"modeLabel": func(m string) string {
		switch m {
		case "virtual":
			return "Virtual"
		case "hybrid":
			return "Hybrid"
		}
		return "In person"
	},
	"roleLabel": func(r string) string {
		switch r {
		case "vice-chair":
			return "Vice-Chair"
		case "":
			return ""
		}
		return strings.ToUpper(r[:1]) + r[1:]
	},
	"lower": strings.ToLower,
	"join":  strings.Join,
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
	},
}

// Command load signs in to a running Quorum and reads one board's action log and
// dashboard with many clients at once, and prints the latencies.
//
//	go run ./bench/actions-log/load -url http://127.0.0.1:18632 -board 1 -email E -password P
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18632", "the server")
	board := flag.Int64("board", 1, "the board")
	email := flag.String("email", "", "sign in as")
	password := flag.String("password", "", "password")
	clients := flag.Int("clients", 20, "clients at once")
	requests := flag.Int("n", 100, "requests per client per page")
	label := flag.String("label", "", "a name for the line printed")
	anonymous := flag.Bool("anonymous", false, "read as a visitor (the board publishes) rather than signed in")
	result := flag.String("result", "", "append a line \"label page p50 p95\" per page to this file")
	flag.Parse()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if !*anonymous {
		signIn(hc, *base, *email, *password)
	}

	pages := map[string]string{
		"log":       fmt.Sprintf("/boards/%d/actions?sort=due", *board),
		"dashboard": fmt.Sprintf("/boards/%d/dashboard", *board),
	}
	get := func(path string) time.Duration {
		t0 := time.Now()
		res, err := hc.Get(*base + path)
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			log.Fatalf("%s: HTTP %d", path, res.StatusCode)
		}
		return time.Since(t0)
	}
	for _, p := range pages { // warm: statements prepared, templates parsed, caches filled
		for range 5 {
			get(p)
		}
	}
	lat := map[string][]time.Duration{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < *requests; i++ {
				for name, p := range pages {
					d := get(p)
					mu.Lock()
					lat[name] = append(lat[name], d)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
	for _, name := range []string{"log", "dashboard"} {
		l := lat[name]
		slices.Sort(l)
		fmt.Printf("%-12s %-9s p50 %6s ms  p95 %6s ms  (%d requests, %d clients)\n", *label, name,
			ms(l[len(l)/2]), ms(l[len(l)*95/100]), len(l), *clients)
		if *result != "" {
			f, err := os.OpenFile(*result, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(f, "%s %s %s %s\n", strings.ReplaceAll(*label, " ", "_"), name, ms(l[len(l)/2]), ms(l[len(l)*95/100]))
			f.Close()
		}
	}
	fmt.Printf("%-12s %.0f requests/s\n", *label, float64(len(lat["log"])+len(lat["dashboard"]))/elapsed.Seconds())
}

func signIn(hc *http.Client, base, email, password string) {
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := hc.Do(req)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		log.Fatalf("sign in: %v %v", err, res)
	}
	res.Body.Close()
}

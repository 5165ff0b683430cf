package notifier

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Each notification gets a client of its own; its connection must close
// with it, not idle for 90s: at thousands of events a minute, idle
// connections ran the process out of open files.
func TestNotificationsLeaveNoConnectionOpen(t *testing.T) {
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			open[c] = true
		case http.StateClosed, http.StateHijacked:
			delete(open, c)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	for range 20 {
		r, err := jsonRequest(srv.URL, map[string]string{"text": "hello"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := do(context.Background(), Options{Timeout: 5 * time.Second}, r); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(open)
		mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open after 20 notifications, want 0", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

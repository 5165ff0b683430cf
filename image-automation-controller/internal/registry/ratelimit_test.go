package registry

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value     string
		wait      time.Duration
		wantAsked bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"-3", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		wait, asked := retryAfter(tt.value, now)
		if wait != tt.wait || asked != tt.wantAsked {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.value, wait, asked, tt.wait, tt.wantAsked)
		}
	}
}

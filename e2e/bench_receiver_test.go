package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// receiverPushes is how many pushes the latency percentiles are taken over.
const receiverPushes = 50

// BenchmarkReceiverPushToApplied measures, with the source-, kustomize- and
// notification-controllers as processes on loopback (the GitRepository's
// interval is an hour, so only the Receiver makes a push apply soon), the
// time from a commit's Receiver call to its ConfigMap value in the cluster,
// over 50 pushes one after another, and reports p50 and p99 (target p50 < 1 s).
func BenchmarkReceiverPushToApplied(b *testing.B) {
	g := NewWithT(b)
	p := startReceiverPipeline(b)
	b.ResetTimer()
	for range b.N {
		latencies := make([]time.Duration, 0, receiverPushes)
		for i := range receiverPushes {
			want := fmt.Sprintf("push-%d-%d", i, time.Now().UnixNano())
			p.repo.Write("apps/web.yaml", configMapYAML("web", want))
			p.repo.Commit(want)
			start := time.Now()
			g.Eventually(p.callReceiver, time.Minute, time.Millisecond).Should(Equal(http.StatusOK), "push %d", i)
			g.Eventually(p.value, time.Minute, 5*time.Millisecond).Should(Equal(want), "push %d", i)
			latencies = append(latencies, time.Since(start))
		}
		slices.Sort(latencies)
		b.ReportMetric(percentile(latencies, 50).Seconds(), "p50-s")
		b.ReportMetric(percentile(latencies, 99).Seconds(), "p99-s")
	}
}

// percentile is the nearest-rank percentile of sorted durations (of 50,
// p99 is the slowest).
func percentile(sorted []time.Duration, pct int) time.Duration {
	rank := (pct*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

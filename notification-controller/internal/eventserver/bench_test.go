package eventserver

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// BenchmarkEventServer100Alerts posts distinct events matched by 100 Alerts
// (each with its own generic Provider) and reports the events accepted per
// second and the notifications delivered per second.
func BenchmarkEventServer100Alerts(b *testing.B) {
	ns := testkit.NewNamespace(b, env.cp.Client)
	var delivered atomic.Int64
	sink := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		delivered.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})}
	l := listen(b)
	go func() { _ = sink.Serve(l) }()
	defer sink.Close()
	var last *notificationv1beta3.Alert
	for i := range 100 {
		name := fmt.Sprintf("a%03d", i)
		p := &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: notificationv1beta3.ProviderSpec{Type: "generic", Address: "http://" + l.Addr().String()}}
		last = &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: notificationv1beta3.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: name},
				EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}}}}
		if err := env.cp.Client.Create(env.ctx, p); err != nil {
			b.Fatal(err)
		}
		if err := env.cp.Client.Create(env.ctx, last); err != nil {
			b.Fatal(err)
		}
	}
	testkit.CreateAndWait(b, env.cp.Client, env.mgr.GetClient(), &notificationv1beta3.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "sync"}, Spec: notificationv1beta3.ProviderSpec{Type: "generic", Address: "http://" + l.Addr().String()}})
	for {
		var list notificationv1beta3.AlertList
		if err := env.mgr.GetClient().List(env.ctx, &list, client.InNamespace(ns)); err == nil && len(list.Items) == 100 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	url := startServer(b, nil)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		body := eventJSON(b, ns, fmt.Sprintf("event %d", i), "")
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	accepted := time.Since(start)
	want := int64(b.N * 100)
	for delivered.Load() < want && time.Since(start) < time.Minute {
		time.Sleep(10 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/accepted.Seconds(), "events/s")
	b.ReportMetric(float64(delivered.Load())/time.Since(start).Seconds(), "notifications/s")
	_ = last
}

func listen(b *testing.B) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return l
}

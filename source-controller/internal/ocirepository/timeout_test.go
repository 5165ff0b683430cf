package ocirepository

import (
	"net"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// spec.timeout bounds the registry calls: a registry that never answers
// fails the reconciliation once it has passed, instead of holding a worker.
func TestReconcileTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // accept and never answer
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "oci-", Namespace: ns},
		Spec: sourcev1.OCIRepositorySpec{
			URL:      "oci://" + ln.Addr().String() + "/app",
			Interval: &metav1.Duration{Duration: time.Hour},
			Timeout:  &metav1.Duration{Duration: time.Second},
		},
	}
	start := time.Now()
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.OCIPullFailedReason)
	NewWithT(t).Expect(ready.Message).To(ContainSubstring("deadline exceeded"))
	NewWithT(t).Expect(time.Since(start)).To(BeNumerically("<", testkit.Timeout))
	waitEvent(t, obj, corev1.EventTypeWarning, sourcev1.OCIPullFailedReason)
}

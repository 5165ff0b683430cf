package eventserver

import (
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestInOrderKeepsArrivalOrderPerKey(t *testing.T) {
	g := NewWithT(t)
	var o inOrder
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		o.run("obj", func() {
			defer wg.Done()
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := range got {
		g.Expect(got[i]).To(Equal(i))
	}
	g.Expect(o.tails).To(BeEmpty(), "finished keys are forgotten")
}

func TestInOrderDoesNotHoldOtherKeys(t *testing.T) {
	g := NewWithT(t)
	var o inOrder
	release := make(chan struct{})
	defer close(release)
	o.run("stuck", func() { <-release })
	ran := make(chan struct{})
	o.run("other", func() { close(ran) })
	g.Eventually(ran, 5*time.Second).Should(BeClosed())
}

package testkit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Timeout is how long the helpers wait for the apiserver or a controller.
// It is generous because CI machines have two cores shared by etcd, the
// apiserver, the controllers and the test.
const Timeout = 30 * time.Second

// NewNamespace creates a namespace with a unique name for one test and
// deletes it when the test ends.
func NewNamespace(t testing.TB, c client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "test-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() { _ = c.Delete(context.Background(), ns) })
	return ns.Name
}

// CreateAndWait creates obj through c and waits until reader sees it. Pass a
// manager's cached client as reader so that a test never races the cache its
// controller reads from.
func CreateAndWait(t testing.TB, c client.Client, reader client.Reader, obj client.Object) {
	t.Helper()
	ctx := context.Background()
	if err := c.Create(ctx, obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	seen := obj.DeepCopyObject().(client.Object)
	NewWithT(t).Eventually(func() error {
		return reader.Get(ctx, client.ObjectKeyFromObject(obj), seen)
	}, Timeout, 50*time.Millisecond).Should(Succeed(), "cache never saw %s", obj.GetName())
}

// WaitForCondition polls obj until its condition typ has the given status
// and, when reason is not empty, that reason. It leaves the last read state
// in obj, so the caller can assert more on it.
func WaitForCondition(t testing.TB, c client.Reader, obj conditions.Getter, typ string, status metav1.ConditionStatus, reason string) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		got := conditions.Get(obj, typ)
		if got == nil {
			return fmt.Errorf("%s has no %s condition yet", obj.GetName(), typ)
		}
		if got.Status != status || (reason != "" && got.Reason != reason) {
			return fmt.Errorf("%s is %s/%s (%q), want %s/%s", typ, got.Status, got.Reason, got.Message, status, reason)
		}
		return nil
	}, Timeout, 100*time.Millisecond).Should(Succeed())
}

// WaitForDeletion polls until obj no longer exists.
func WaitForDeletion(t testing.TB, c client.Reader, obj client.Object) {
	t.Helper()
	NewWithT(t).Eventually(func() bool {
		err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return apierrors.IsNotFound(err)
	}, Timeout, 100*time.Millisecond).Should(BeTrue(), "%s was not deleted", obj.GetName())
}

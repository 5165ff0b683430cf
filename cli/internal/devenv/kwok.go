package devenv

import (
	"context"
	"fmt"
	"runtime"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/install"
)

// FakeNode is the one Node kwok manages: the scheduler places every Pod on
// it, and kwok makes them Running and Ready without running anything.
const FakeNode = "tide-dev-node"

// startKwok runs kwok for the nodes annotated kwok.x-k8s.io/node=fake and
// registers one such node.
func (e *Env) startKwok(ctx context.Context) error {
	if _, err := e.start("kwok", e.k8sBin("kwok"), "--kubeconfig="+e.Kubeconfig,
		"--config="+e.k8sBin("kwok-stages.yaml"), "--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--cidr=10.244.0.1/24", "--node-ip=127.0.0.1"); err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	if err := c.Create(ctx, fakeNode()); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create the fake node: %w", err)
	}
	err = install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, "waiting for Node/"+FakeNode+" to be Ready", func(ctx context.Context) (string, error) {
		n := &corev1.Node{}
		if err := c.Get(ctx, client.ObjectKey{Name: FakeNode}, n); err != nil {
			return "", err
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				return "", nil
			}
		}
		return "kwok has not marked it Ready yet", nil
	})
	if err != nil {
		return err
	}
	e.cfg.Out.Success("kwok running, Node/%s Ready", FakeNode)
	return nil
}

func fakeNode() *corev1.Node {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        FakeNode,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{"kubernetes.io/hostname": FakeNode, "kubernetes.io/os": "linux",
				"kubernetes.io/arch": runtime.GOARCH, "type": "kwok"},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
}

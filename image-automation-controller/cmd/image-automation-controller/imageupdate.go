package main

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/image-automation-controller/internal/imageupdate"
	"github.com/tidegitops/tide/skeleton"
)

// setupImageUpdate adds the ImageUpdateAutomation reconciler, with the Git
// flags it reads.
func setupImageUpdate(ctx context.Context, mgr ctrl.Manager, skel *skeleton.Skeleton, opts options) error {
	r := &imageupdate.Reconciler{Client: mgr.GetClient(), Skeleton: skel, Options: imageupdate.Options{
		NoCrossNamespaceRefs: opts.noCrossNamespaceRefs,
		SSHAlgorithms:        gitclient.SSHAlgorithms{KeyExchanges: opts.sshKexAlgos, HostKeys: opts.sshHostKeyAlgos},
	}}
	return r.SetupWithManager(ctx, mgr, opts.ControllerOptions())
}

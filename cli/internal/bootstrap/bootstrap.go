package bootstrap

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
)

// Run bootstraps the cluster k reaches from the repository opts name. It is
// idempotent: run again, it commits nothing new and succeeds.
func Run(ctx context.Context, k *kube.Options, out *output.Printer, opts Options) error {
	o := opts.withDefaults(k)
	if err := o.validate(); err != nil {
		return err
	}
	components, err := install.Render(o.Components, o.Namespace)
	if err != nil {
		return err
	}
	commit, err := commitManifests(ctx, o, components, out)
	if err != nil {
		return err
	}
	c, err := k.Client(ctx)
	if err != nil {
		return err
	}
	out.Info("installing %s in namespace %s", strings.Join(o.Components, ", "), o.Namespace)
	if err := install.Apply(ctx, c, components, out); err != nil {
		return err
	}
	if !o.SkipComponentsWait {
		if err := install.WaitReady(ctx, c, o.Namespace, o.Components, o.Timeout, out); err != nil {
			return err
		}
	}
	if err := configureSync(ctx, c, commit, out); err != nil {
		return err
	}
	if err := waitSynced(ctx, c, o, commit.hash, out); err != nil {
		return err
	}
	out.Success("bootstrap finished: the cluster syncs %s from %s@%s", o.Path, o.URL, o.Branch)
	return nil
}

// committed is what commitManifests leaves behind for the cluster steps.
type committed struct {
	*checkout
	hash string
}

// commitManifests writes <path>/flux-system into the branch and pushes it
// when that changed anything.
func commitManifests(ctx context.Context, o Options, components []*unstructured.Unstructured, out *output.Printer) (committed, error) {
	out.Info("cloning branch %q of %s", o.Branch, o.URL)
	co, err := clone(ctx, o)
	if err != nil {
		return committed{}, err
	}
	want, err := files(o, components)
	if err != nil {
		return committed{}, err
	}
	foreign, err := co.foreign(o.dir(), want)
	if err != nil {
		return committed{}, err
	}
	if len(foreign) > 0 {
		return committed{}, fmt.Errorf("refusing to bootstrap: %s holds files tide bootstrap did not write: %s (move them out of that folder)",
			o.dir(), strings.Join(foreign, ", "))
	}
	hash, changed, err := co.commit(want)
	if err != nil {
		return committed{}, fmt.Errorf("commit the manifests: %w", err)
	}
	if !changed {
		out.Success("%s is up to date at %s", o.dir(), hash)
		return committed{co, hash}, nil
	}
	if err := co.push(ctx); err != nil {
		return committed{}, err
	}
	out.Success("committed and pushed %s to %s", hash, o.Branch)
	return committed{co, hash}, nil
}

// configureSync stores the credentials and applies the sync objects.
func configureSync(ctx context.Context, c client.Client, commit committed, out *output.Printer) error {
	o := commit.opts
	var objs []*unstructured.Unstructured
	if o.hasCredentials() {
		secret, err := commit.secret()
		if err != nil {
			return err
		}
		objs = append(objs, secret)
	}
	sync := syncObjects(o)
	objs = append(objs, sync...)
	if err := install.Apply(ctx, c, objs, out); err != nil {
		return err
	}
	return requestReconcile(ctx, c, sync)
}

package receiver

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

// defaultAPIVersions are used for a resource that names only its kind, as
// Flux defaults them.
var defaultAPIVersions = map[string]string{
	"Bucket":          "source.toolkit.fluxcd.io/v1",
	"HelmChart":       "source.toolkit.fluxcd.io/v1",
	"HelmRepository":  "source.toolkit.fluxcd.io/v1",
	"GitRepository":   "source.toolkit.fluxcd.io/v1",
	"OCIRepository":   "source.toolkit.fluxcd.io/v1",
	"ImageRepository": "image.toolkit.fluxcd.io/v1",
}

// requestReconciliation annotates the objects res names (one by name, or
// all with matchLabels for "*") that pass the filters.
func (s *Server) requestReconciliation(ctx context.Context, rcv *notificationv1.Receiver, res notificationv1.ReceiverResource, req map[string]any) error {
	namespace := rcv.Namespace
	if res.Namespace != "" {
		namespace = res.Namespace
	}
	apiVersion := res.APIVersion
	if apiVersion == "" {
		if apiVersion = defaultAPIVersions[res.Kind]; apiVersion == "" {
			return fmt.Errorf("apiVersion must be specified for kind '%s'", res.Kind)
		}
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return fmt.Errorf("invalid apiVersion %q: %w", apiVersion, err)
	}
	gvk := gv.WithKind(res.Kind)

	var objects []metav1.PartialObjectMetadata
	if res.Name == "*" {
		if res.MatchLabels == nil {
			return fmt.Errorf("matchLabels field not set when using wildcard '*' as name")
		}
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk)
		if err := s.Reader.List(ctx, list, client.InNamespace(namespace), client.MatchingLabels(res.MatchLabels)); err != nil {
			return fmt.Errorf("failed listing resources in namespace %q by matching labels %q: %w", namespace, res.MatchLabels, err)
		}
		objects = list.Items
	} else {
		obj := metav1.PartialObjectMetadata{}
		obj.SetGroupVersionKind(gvk)
		if err := s.Reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: res.Name}, &obj); err != nil {
			return fmt.Errorf("unable to read %s '%s/%s' error: %w", res.Kind, namespace, res.Name, err)
		}
		objects = []metav1.PartialObjectMetadata{obj}
	}
	for i := range objects {
		obj := &objects[i]
		obj.SetGroupVersionKind(gvk)
		resMap, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return err
		}
		ok, err := passes(ctx, resMap, req, rcv.Spec.ResourceFilter, res.Filter)
		if err != nil {
			return err
		}
		if !ok {
			logr.FromContextOrDiscard(ctx).V(1).Info("resource filtered out", "resource", describe(obj))
			continue
		}
		if err := s.annotate(ctx, obj); err != nil {
			return err
		}
		logr.FromContextOrDiscard(ctx).Info(fmt.Sprintf("resource '%s' annotated", describe(obj)))
	}
	return nil
}

// annotate sets reconcile.fluxcd.io/requestedAt to now, as Flux writes it.
func (s *Server) annotate(ctx context.Context, obj *metav1.PartialObjectMetadata) error {
	patch := client.MergeFrom(obj.DeepCopy())
	annotations := obj.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[meta.ReconcileRequestAnnotation] = metav1.Now().String()
	obj.SetAnnotations(annotations)
	if err := s.Writer.Patch(ctx, obj, patch); err != nil {
		return fmt.Errorf("unable to annotate %s: %w", describe(obj), err)
	}
	return nil
}

func describe(obj *metav1.PartialObjectMetadata) string {
	return fmt.Sprintf("%s/%s.%s", obj.Kind, obj.Name, obj.Namespace)
}

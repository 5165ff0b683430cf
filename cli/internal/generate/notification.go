package generate

import (
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
)

// AlertOptions are the flags of `tide create alert`.
type AlertOptions struct {
	Name, Namespace string
	ProviderRef     string
	EventSeverity   string
	// EventSources are Kind/name or Kind/name.namespace, as flux reads them.
	EventSources []string
}

// Alert returns the v1beta3 Alert the options describe: the version and
// fields `flux create alert` writes.
func Alert(o AlertOptions) (*notificationv1beta3.Alert, error) {
	if o.ProviderRef == "" {
		return nil, fmt.Errorf("--provider-ref is required: name the Provider (see 'tide create alert-provider')")
	}
	switch o.EventSeverity {
	case "", "info", "error":
	default:
		return nil, fmt.Errorf("--event-severity %q is unknown: use info (every event) or error", o.EventSeverity)
	}
	refs, err := kindNameRefs("--event-source", o.EventSources, true)
	if err != nil {
		return nil, err
	}
	return &notificationv1beta3.Alert{
		TypeMeta:   metav1.TypeMeta{APIVersion: notificationv1beta3.GroupVersion.String(), Kind: "Alert"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: notificationv1beta3.AlertSpec{
			ProviderRef:   meta.LocalObjectReference{Name: o.ProviderRef},
			EventSeverity: o.EventSeverity,
			EventSources:  refs,
		},
	}, nil
}

// ProviderOptions are the flags of `tide create alert-provider`.
type ProviderOptions struct {
	Name, Namespace string
	Type            string
	Channel         string
	Username        string
	Address         string
	SecretRef       string
}

// Provider returns the v1beta3 Provider the options describe, as
// `flux create alert-provider` writes it.
func Provider(o ProviderOptions) (*notificationv1beta3.Provider, error) {
	if o.Type == "" {
		return nil, fmt.Errorf("--type is required, e.g. --type=slack or --type=generic")
	}
	p := &notificationv1beta3.Provider{
		TypeMeta:   metav1.TypeMeta{APIVersion: notificationv1beta3.GroupVersion.String(), Kind: "Provider"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: notificationv1beta3.ProviderSpec{
			Type:     o.Type,
			Channel:  o.Channel,
			Username: o.Username,
			Address:  o.Address,
		},
	}
	if o.SecretRef != "" {
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: o.SecretRef}
	}
	return p, nil
}

// ReceiverOptions are the flags of `tide create receiver`.
type ReceiverOptions struct {
	Name, Namespace string
	Type            string
	SecretRef       string
	Events          []string
	// Resources are Kind/name, as flux reads them.
	Resources []string
}

// Receiver returns the v1 Receiver the options describe, as
// `flux create receiver` writes it.
func Receiver(o ReceiverOptions) (*notificationv1.Receiver, error) {
	if o.Type == "" {
		return nil, fmt.Errorf("--type is required, e.g. --type=generic or --type=github")
	}
	if o.SecretRef == "" {
		return nil, fmt.Errorf("--secret-ref is required: name the Secret whose 'token' key the webhook path is made from")
	}
	refs, err := kindNameRefs("--resource", o.Resources, false)
	if err != nil {
		return nil, err
	}
	resources := make([]notificationv1.ReceiverResource, 0, len(refs))
	for _, r := range refs {
		resources = append(resources, notificationv1.ReceiverResource{CrossNamespaceObjectReference: r})
	}
	return &notificationv1.Receiver{
		TypeMeta:   metav1.TypeMeta{APIVersion: notificationv1.GroupVersion.String(), Kind: "Receiver"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: notificationv1.ReceiverSpec{
			Type:      o.Type,
			Events:    o.Events,
			Resources: resources,
			SecretRef: &meta.LocalObjectReference{Name: o.SecretRef},
		},
	}, nil
}

// kindNameRefs reads Kind/name values (Kind/name.namespace when
// withNamespace, as flux's alert flag does); at least one is required.
func kindNameRefs(flag string, values []string, withNamespace bool) ([]notificationv1.CrossNamespaceObjectReference, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("%s is required: pass at least one Kind/name, e.g. %s=Kustomization/flux-system", flag, flag)
	}
	refs := make([]notificationv1.CrossNamespaceObjectReference, 0, len(values))
	for _, v := range values {
		kind, name, ok := strings.Cut(v, "/")
		if !ok || kind == "" || name == "" {
			return nil, fmt.Errorf("%s %q: use Kind/name, e.g. Kustomization/flux-system", flag, v)
		}
		ref := notificationv1.CrossNamespaceObjectReference{Kind: kind, Name: name}
		if withNamespace {
			// flux reads Kind/name.namespace; the part after the first dot.
			if n, ns, found := strings.Cut(name, "."); found {
				ref.Name, ref.Namespace = n, ns
			}
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

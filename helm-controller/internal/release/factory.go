package release

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/openapi"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	kubectlopenapi "k8s.io/kubectl/pkg/util/openapi"
	"k8s.io/kubectl/pkg/validation"
)

// factory is the kubectl factory Helm's kube client of every release of
// one Getter uses, kept with the Getter so that what it learns about the
// cluster is learned once. Helm asks it for a new validator on every
// Build (each install, upgrade and rollback) and kubectl's validator parses
// the OpenAPI v3 schema of each kind again to learn that the apiserver
// validates fields itself: most of the controller's CPU for a thousand
// HelmReleases. The factory hands out one strict validator instead.
type factory struct {
	cmdutil.Factory
	getter *Getter

	once   sync.Once
	strict validation.Schema
	err    error
}

func newFactory(g *Getter) *factory {
	return &factory{Factory: cmdutil.NewFactory(g), getter: g}
}

// Validator returns the shared validator for Helm's strict validation
// (the one it uses unless disableOpenAPIValidation), kubectl's own
// otherwise.
func (f *factory) Validator(directive string) (validation.Schema, error) {
	if directive != metav1.FieldValidationStrict {
		return f.Factory.Validator(directive)
	}
	f.once.Do(func() { f.strict, f.err = f.newStrict() })
	return f.strict, f.err
}

// newStrict builds what kubectl builds for a strict validator: validate on
// the client only the kinds whose endpoint lacks the fieldValidation
// parameter (the apiserver validates the others), against the OpenAPI v2
// schema parsed once; but with fieldValidationSupport deciding which kinds
// lack it.
func (f *factory) newStrict() (validation.Schema, error) {
	dyn, err := f.DynamicClient()
	if err != nil {
		return nil, err
	}
	disc, err := f.getter.ToDiscoveryClient()
	if err != nil {
		return nil, err
	}
	client := validation.ConjunctiveSchema{validation.NewSchemaValidation(f.Factory), validation.NoDoubleKeySchema{}}
	primary := &fieldValidationSupport{dyn: dyn, openAPI: disc.OpenAPIV3, supported: map[schema.GroupVersionKind]bool{}}
	legacy := resource.NewQueryParamVerifier(dyn, kubectlopenapi.NewOpenAPIGetter(disc), resource.QueryParamFieldValidation)
	verifier := resource.NewFallbackQueryParamVerifier(primary, legacy)
	return validation.NewParamVerifyingSchema(client, verifier, metav1.FieldValidationStrict), nil
}

// fieldValidationSupport answers whether the endpoint of a kind takes the
// fieldValidation parameter, from the cluster's OpenAPI v3 schema, and
// remembers the kinds that do (every kind of a current apiserver), so each
// is looked up once. A kind that does not is asked again next time, from
// the schema the discovery cache holds then: a CRD installed by one release
// (its kinds checked against the live CRDs), or an API the REST mapper has
// since rediscovered, is seen by the next.
type fieldValidationSupport struct {
	dyn     dynamic.Interface
	openAPI func() openapi.Client

	lookup    sync.Mutex
	mu        sync.RWMutex
	supported map[schema.GroupVersionKind]bool
}

func (s *fieldValidationSupport) HasSupport(gvk schema.GroupVersionKind) error {
	s.mu.RLock()
	ok := s.supported[gvk]
	s.mu.RUnlock()
	if ok {
		return nil
	}
	// One lookup at a time: the first releases after a start all ask
	// about the same kinds, and each lookup downloads and parses a schema.
	s.lookup.Lock()
	defer s.lookup.Unlock()
	s.mu.RLock()
	ok = s.supported[gvk]
	s.mu.RUnlock()
	if ok {
		return nil
	}
	if err := resource.NewQueryParamVerifierV3(s.dyn, s.openAPI(), resource.QueryParamFieldValidation).HasSupport(gvk); err != nil {
		return err
	}
	s.mu.Lock()
	s.supported[gvk] = true
	s.mu.Unlock()
	return nil
}

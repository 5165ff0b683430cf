package values

import (
	"context"
	"errors"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// objects is a client.Reader over a few ConfigMaps and Secrets: Compose
// only reads, and a table of pure merges needs no apiserver.
type objects map[string]client.Object

func (o objects) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	var kind string
	switch obj.(type) {
	case *corev1.ConfigMap:
		kind = "ConfigMap"
	case *corev1.Secret:
		kind = "Secret"
	}
	found, ok := o[kind+"/"+key.Name]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: kind}, key.Name)
	}
	switch dst := obj.(type) {
	case *corev1.ConfigMap:
		*dst = *found.(*corev1.ConfigMap)
	case *corev1.Secret:
		*dst = *found.(*corev1.Secret)
	}
	return nil
}

func (o objects) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errors.New("not used")
}

func configMap(name string, data map[string]string) client.Object {
	cm := &corev1.ConfigMap{Data: data}
	cm.Name = name
	return cm
}

func secret(name string, data map[string][]byte) client.Object {
	s := &corev1.Secret{Data: data}
	s.Name = name
	return s
}

func TestCompose(t *testing.T) {
	store := objects{
		"ConfigMap/values": configMap("values", map[string]string{
			"values.yaml": "flat: value\nnested:\n  configuration: [one, two, three]\n",
			"bad":         "- a list\n",
		}),
		"Secret/values": secret("values", map[string][]byte{
			"values.yaml": []byte("flat:\n  nested: value\nsecret: s3cr3t\n"),
			"key":         []byte("value"),
			"quoted":      []byte(`"true"`),
			"literal":     []byte("a,b=c"),
		}),
	}
	tests := []struct {
		name    string
		refs    []meta.ValuesReference
		values  map[string]any
		want    map[string]any
		wantErr error
	}{
		{
			name:   "references merge in order, values on top",
			refs:   []meta.ValuesReference{{Kind: "ConfigMap", Name: "values"}, {Kind: "Secret", Name: "values"}},
			values: map[string]any{"other": "v", "secret": "override"},
			want: map[string]any{"flat": map[string]any{"nested": "value"}, "secret": "override", "other": "v",
				"nested": map[string]any{"configuration": []any{"one", "two", "three"}}},
		},
		{
			name:   "targetPath wins over values and later references",
			refs:   []meta.ValuesReference{{Kind: "Secret", Name: "values", ValuesKey: "key", TargetPath: "nested.configuration[0]"}, {Kind: "ConfigMap", Name: "values"}},
			values: map[string]any{"nested": map[string]any{"configuration": []any{"list", "item", "option"}}},
			want:   map[string]any{"flat": "value", "nested": map[string]any{"configuration": []any{"value", "item", "option"}}},
		},
		{
			name:   "targetPath over a top-level value",
			refs:   []meta.ValuesReference{{Kind: "Secret", Name: "values", ValuesKey: "key", TargetPath: "greeting"}},
			values: map[string]any{"greeting": "hi"},
			want:   map[string]any{"greeting": "value"},
		},
		{
			name: "quoted value is a string",
			refs: []meta.ValuesReference{{Kind: "Secret", Name: "values", ValuesKey: "quoted", TargetPath: "a.b"}},
			want: map[string]any{"a": map[string]any{"b": "true"}},
		},
		{
			name: "literal value keeps commas and equal signs",
			refs: []meta.ValuesReference{{Kind: "Secret", Name: "values", ValuesKey: "literal", TargetPath: "a", Literal: true}},
			want: map[string]any{"a": "a,b=c"},
		},
		{
			name: "optional missing object and key are skipped",
			refs: []meta.ValuesReference{{Kind: "Secret", Name: "missing", Optional: true}, {Kind: "ConfigMap", Name: "values", ValuesKey: "nope", Optional: true}},
			want: map[string]any{},
		},
		{name: "missing object", refs: []meta.ValuesReference{{Kind: "Secret", Name: "missing"}}, wantErr: ErrNotFound},
		{name: "missing key", refs: []meta.ValuesReference{{Kind: "ConfigMap", Name: "values", ValuesKey: "nope"}}, wantErr: ErrKeyNotFound},
		{name: "not a map", refs: []meta.ValuesReference{{Kind: "ConfigMap", Name: "values", ValuesKey: "bad"}}, wantErr: ErrInvalid},
		{name: "bad targetPath", refs: []meta.ValuesReference{{Kind: "Secret", Name: "values", ValuesKey: "key", TargetPath: "a..b"}}, wantErr: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			got, err := Compose(context.Background(), store, "ns", tt.values, tt.refs)
			if tt.wantErr != nil {
				g.Expect(err).To(MatchError(tt.wantErr))
				g.Expect(err.Error()).To(ContainSubstring("spec.valuesFrom[0]"))
				g.Expect(err.Error()).NotTo(ContainSubstring("s3cr3t"))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tt.want))
		})
	}
}

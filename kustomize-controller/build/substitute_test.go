package build_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/tidegitops/tide/kustomize-controller/build"
)

// object reads one object from YAML.
func object(t *testing.T, text string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(text), &obj.Object); err != nil {
		t.Fatal(err)
	}
	return obj
}

// cmWith is a ConfigMap default/cm whose data is the given YAML lines.
func cmWith(data string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: default\ndata:\n" + data
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{
		"ENV":      "prod",
		"REPLICAS": "3",
		"FLAG":     "true",
		"EMPTY":    "",
		"KEY":      "region",
		"_under":   "u",
		"UPPER":    "MIXED",
		"DOTS":     "a.b.c",
	}
	tests := []struct {
		name    string
		in      string
		path    []string
		want    any
		wantErr []string
	}{
		{name: "plain variable", in: cmWith("  a: ${ENV}\n"), path: []string{"data", "a"}, want: "prod"},
		{name: "inside a string", in: cmWith("  a: app-${ENV}-x\n"), path: []string{"data", "a"}, want: "app-prod-x"},
		{name: "several", in: cmWith("  a: ${ENV}/${_under}/${ENV}\n"), path: []string{"data", "a"}, want: "prod/u/prod"},
		{name: ":= default, unset", in: cmWith("  a: ${NOPE:=dev}\n"), path: []string{"data", "a"}, want: "dev"},
		{name: ":- default, unset", in: cmWith("  a: ${NOPE:-dev}\n"), path: []string{"data", "a"}, want: "dev"},
		{name: "= default, unset", in: cmWith("  a: ${NOPE=dev}\n"), path: []string{"data", "a"}, want: "dev"},
		{name: "default ignored when set", in: cmWith("  a: ${ENV:=dev}\n"), path: []string{"data", "a"}, want: "prod"},
		{name: "default used when empty", in: cmWith("  a: ${EMPTY:-dev}\n"), path: []string{"data", "a"}, want: "dev"},
		{name: "empty default", in: cmWith("  a: x${NOPE:=}y\n"), path: []string{"data", "a"}, want: "xy"},
		{name: "default with spaces and colons", in: cmWith("  a: '${NOPE:=a b:c}'\n"), path: []string{"data", "a"}, want: "a b:c"},
		{name: "nested default", in: cmWith("  a: ${NOPE:=${ENV}-x}\n"), path: []string{"data", "a"}, want: "prod-x"},
		{name: "empty value", in: cmWith("  a: x${EMPTY}y\n"), path: []string{"data", "a"}, want: "xy"},
		{name: "escape keeps the reference", in: cmWith("  a: $${ENV} and $${UNSET}\n"), path: []string{"data", "a"}, want: "${ENV} and ${UNSET}"},
		{name: "$$ is an escape for $ everywhere", in: cmWith("  a: echo $$HOME $$ $$$${ENV}\n"), path: []string{"data", "a"}, want: "echo $HOME $ $${ENV}"},
		{name: "$VAR without braces is left alone", in: cmWith("  a: echo $HOME $ENV $\n"), path: []string{"data", "a"}, want: "echo $HOME $ENV $"},
		{name: "length", in: cmWith("  a: n${#ENV}\n"), path: []string{"data", "a"}, want: "n4"},
		{name: "upper case", in: cmWith("  a: ${ENV^^}-${ENV^}\n"), path: []string{"data", "a"}, want: "PROD-Prod"},
		{name: "lower case", in: cmWith("  a: ${UPPER,,}-${UPPER,}\n"), path: []string{"data", "a"}, want: "mixed-mIXED"},
		{name: "substring", in: cmWith("  a: ${ENV:1}-${ENV:1:2}\n"), path: []string{"data", "a"}, want: "rod-ro"},
		{name: "replace", in: cmWith("  a: ${ENV/prod/dev}-${DOTS//./-}-${ENV/#p/P}-${ENV/%d/D}\n"), path: []string{"data", "a"}, want: "dev-a-b-c-Prod-proD"},
		{name: "strip prefix and suffix", in: cmWith("  a: ${ENV#p}-${ENV%d}-${DOTS##*.}-${DOTS%%.*}\n"), path: []string{"data", "a"}, want: "rod-pro-c-a"},
		{name: "keys are substituted", in: cmWith("  ${KEY}: x\n"), path: []string{"data", "region"}, want: "x"},
		{name: "number", in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: ${REPLICAS}\n", path: []string{"spec", "replicas"}, want: int64(3)},
		{name: "quotes in the source do not keep a string (as in Flux)", in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: \"${REPLICAS}\"\n", path: []string{"spec", "replicas"}, want: int64(3)},
		{name: "boolean", in: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: ${FLAG}\n", path: []string{"spec", "hostNetwork"}, want: true},
		{name: "multi-line value", in: cmWith("  script: |\n    echo ${ENV}\n    echo $${ENV}\n"), path: []string{"data", "script"}, want: "echo prod\necho ${ENV}\n"},
		{
			name:    "missing variable",
			in:      cmWith("  a: ${MISSING}\n"),
			wantErr: []string{"ConfigMap/default/cm:", "variable 'MISSING' is not set and has no default"},
		},
		{
			name:    "missing variable in a default",
			in:      cmWith("  a: ${NOPE:=${MISSING}}\n"),
			wantErr: []string{"ConfigMap/default/cm:", "variable 'MISSING'"},
		},
		{
			// As in Flux: a default is read whether it is used or not.
			name:    "an unused default may not name unset variables",
			in:      cmWith("  a: ${ENV:=${UNSET}}\n"),
			wantErr: []string{"variable 'UNSET' is not set", "a default is read even when"},
		},
		{
			// As in Flux: '$$' is no escape inside a default.
			name:    "no escape in a default",
			in:      cmWith("  a: ${NOPE:=$${X}-y}\n"),
			wantErr: []string{"variable 'X' is not set"},
		},
		{
			name:    "missing variable with an operator",
			in:      cmWith("  a: ${MISSING^^}\n"),
			wantErr: []string{"variable 'MISSING' is not set"},
		},
		{
			name:    "a name that starts with a digit is looked up, and is never set",
			in:      cmWith("  a: ${1ABC}\n"),
			wantErr: []string{"ConfigMap/default/cm:", "variable '1ABC' is not set"},
		},
		{
			name:    "empty reference",
			in:      cmWith("  a: ${}\n"),
			wantErr: []string{"ConfigMap/default/cm:", "'${}' cannot be parsed", "$${"},
		},
		{
			name:    "- default, which Flux cannot parse",
			in:      cmWith("  a: ${ENV-dev}\n"),
			wantErr: []string{"'${ENV-dev}' cannot be parsed (missing closing brace)"},
		},
		{
			name:    "+ alternative, which Flux cannot parse",
			in:      cmWith("  a: ${ENV+x}\n"),
			wantErr: []string{"'${ENV+x}' cannot be parsed"},
		},
		{
			name:    "unterminated reference",
			in:      cmWith("  a: ${ENV\n"),
			wantErr: []string{"'${ENV' cannot be parsed (missing closing brace)"},
		},
		{
			name:    "a value that breaks the YAML",
			in:      cmWith("  a: ${BROKEN}\n"),
			wantErr: []string{"ConfigMap/default/cm:", "no longer valid YAML"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			in := object(t, tt.in)
			before := in.DeepCopy()
			v := vars
			if tt.name == "a value that breaks the YAML" {
				v = map[string]string{"BROKEN": "a: b: c"}
			}
			out, err := build.Substitute([]*unstructured.Unstructured{in}, v)
			g.Expect(in).To(Equal(before), "the input is not modified")
			if tt.wantErr != nil {
				g.Expect(err).To(HaveOccurred())
				for _, w := range tt.wantErr {
					g.Expect(err.Error()).To(ContainSubstring(w))
				}
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(out).To(HaveLen(1))
			got, found, err := unstructured.NestedFieldNoCopy(out[0].Object, tt.path...)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(found).To(BeTrue(), "%v in %v", tt.path, out[0].Object)
			g.Expect(got).To(Equal(tt.want))
			// DeepCopy panics on types an unstructured object may not hold.
			g.Expect(func() { out[0].DeepCopy() }).NotTo(Panic())
		})
	}
}

func TestSubstitute_Disabled(t *testing.T) {
	for _, meta := range []string{"annotations", "labels"} {
		t.Run(meta, func(t *testing.T) {
			g := NewWithT(t)
			in := object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  "+meta+":\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  a: ${MISSING}\n")
			other := object(t, cmWith("  a: ${ENV}\n"))
			out, err := build.Substitute([]*unstructured.Unstructured{in, other}, map[string]string{"ENV": "prod"})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(out).To(HaveLen(2))
			g.Expect(out[0]).To(BeIdenticalTo(in))
			g.Expect(out[1].Object["data"]).To(Equal(map[string]any{"a": "prod"}))
		})
	}
}

// A reference that cannot be parsed in a Secret is reported without
// quoting the Secret.
func TestSubstitute_SecretsAreNotQuoted(t *testing.T) {
	g := NewWithT(t)
	in := object(t, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: hunter2${ENV\n")
	_, err := build.Substitute([]*unstructured.Unstructured{in}, map[string]string{"ENV": "prod"})
	g.Expect(err).To(MatchError(ContainSubstring("Secret/s: the object cannot be parsed for substitution (missing closing brace)")))
	g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
}

// Like Flux, only the exact value "disabled" opts out.
func TestSubstitute_DisabledIsExact(t *testing.T) {
	g := NewWithT(t)
	in := object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n"+
		"    kustomize.toolkit.fluxcd.io/substitute: Disabled\ndata:\n  a: ${ENV}\n")
	out, err := build.Substitute([]*unstructured.Unstructured{in}, map[string]string{"ENV": "prod"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out[0].Object["data"]).To(Equal(map[string]any{"a": "prod"}))
}

func TestSubstitute_InvalidVarNames(t *testing.T) {
	for _, name := range []string{"1ABC", "A-B", "a.b", "", "É"} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := build.Substitute([]*unstructured.Unstructured{object(t, cmWith("  a: b\n"))},
				map[string]string{name: "x", "OK": "y"})
			g.Expect(err).To(MatchError(ContainSubstring("variable name '" + name + "' is invalid")))
		})
	}
}

func TestSubstitute_UnchangedObjectsAreReturnedAsIs(t *testing.T) {
	g := NewWithT(t)
	in := object(t, cmWith("  a: plain $text\n"))
	out, err := build.Substitute([]*unstructured.Unstructured{in}, map[string]string{"A": "b"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out[0]).To(BeIdenticalTo(in))
}

func TestSubstitute_KeepsOrderAndCount(t *testing.T) {
	g := NewWithT(t)
	var in []*unstructured.Unstructured
	for _, n := range []string{"a", "b", "c"} {
		in = append(in, object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "+n+"-${S}\n"))
	}
	out, err := build.Substitute(in, map[string]string{"S": "x"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(out)).To(Equal([]string{"ConfigMap/a-x", "ConfigMap/b-x", "ConfigMap/c-x"}))
	g.Expect(out[0].GetName()).To(Equal("a-x"))
}

func TestSubstitute_DeepNesting(t *testing.T) {
	g := NewWithT(t)
	const depth = 50000
	value := strings.Repeat("${N:=", depth) + "x" + strings.Repeat("}", depth)
	in := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "cm"},
		"data":     map[string]any{"a": value, "b": strings.Repeat("${N:=", depth)},
	}}
	_, err := build.Substitute([]*unstructured.Unstructured{in}, map[string]string{"M": "m"})
	g.Expect(err).To(MatchError(ContainSubstring("cannot be parsed")))

	delete(in.Object["data"].(map[string]any), "b")
	out, err := build.Substitute([]*unstructured.Unstructured{in}, map[string]string{"M": "m"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out[0].Object["data"]).To(Equal(map[string]any{"a": "x"}))
}

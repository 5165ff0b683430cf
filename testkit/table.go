package testkit

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// TableRows asks the apiserver for a server-side table of a resource, exactly
// as `kubectl get` does, and returns each row as column name -> cell text.
func TableRows(ctx context.Context, cfg *rest.Config, gvr schema.GroupVersionResource, namespace string) ([]map[string]string, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &schema.GroupVersion{Group: gvr.Group, Version: gvr.Version}
	c.APIPath = "/apis"
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	rc, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, err
	}
	raw, err := rc.Get().
		NamespaceIfScoped(namespace, namespace != "").
		Resource(gvr.Resource).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").
		DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("get table of %s: %w", gvr.Resource, err)
	}
	table := &metav1.Table{}
	if err := json.Unmarshal(raw, table); err != nil {
		return nil, fmt.Errorf("decode table of %s: %w", gvr.Resource, err)
	}
	rows := make([]map[string]string, 0, len(table.Rows))
	for _, row := range table.Rows {
		cells := map[string]string{}
		for i, col := range table.ColumnDefinitions {
			if i < len(row.Cells) {
				cells[col.Name] = fmt.Sprint(row.Cells[i])
			}
		}
		rows = append(rows, cells)
	}
	return rows, nil
}

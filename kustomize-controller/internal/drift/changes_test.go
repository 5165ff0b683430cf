package drift

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const tide = "kustomize-controller"

func entry(manager string, op metav1.ManagedFieldsOperationType, subresource string, sec int, fields string) metav1.ManagedFieldsEntry {
	t := metav1.NewTime(time.Unix(int64(1_700_000_000+sec), 0))
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, Subresource: subresource, Time: &t,
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}
}

func object(entries ...metav1.ManagedFieldsEntry) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{ManagedFields: entries}}
}

const (
	tideData      = `{"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}}}`
	tideDataOnlyA = `{"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:app":{}}}}`
)

func TestDrifted(t *testing.T) {
	applied := entry(tide, metav1.ManagedFieldsOperationApply, "", 0, tideData)
	tests := []struct {
		name          string
		before, after *metav1.PartialObjectMetadata
		want          Verdict
	}{
		{"another manager changes a field the controller applied",
			object(applied),
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 0, tideDataOnlyA),
				entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "", 5, `{"f:data":{"f:b":{}}}`)),
			Drift},
		{"another manager removes a field the controller applied",
			object(applied),
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 0, tideDataOnlyA)),
			Drift},
		{"another manager adds a field of its own",
			object(applied),
			object(applied, entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "", 5, `{"f:data":{"f:c":{}}}`)),
			NoDrift},
		{"another manager writes the status subresource",
			object(applied),
			object(applied, entry("other-controller", metav1.ManagedFieldsOperationUpdate, "status", 5, `{"f:status":{"f:ready":{}}}`)),
			NoDrift},
		{"the controller applies again, dropping a field Git removed",
			object(applied),
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 9, tideDataOnlyA)),
			NoDrift},
		{"the controller's forced apply takes a field back from another manager",
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 0, tideDataOnlyA),
				entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "", 5, `{"f:data":{"f:b":{}}}`)),
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 9, tideData)),
			NoDrift},
		{"the same manager changes the field again within the second it took it",
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 0, tideDataOnlyA),
				entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "", 5, `{"f:data":{"f:c":{}}}`)),
			object(entry(tide, metav1.ManagedFieldsOperationApply, "", 0, `{"f:metadata":{"f:labels":{"f:app":{}}}}`),
				entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "", 5, `{"f:data":{"f:a":{},"f:c":{}}}`)),
			Drift},
		{"an object the controller never applied",
			object(entry("someone", metav1.ManagedFieldsOperationUpdate, "", 0, `{"f:data":{"f:a":{}}}`)),
			object(entry("someone", metav1.ManagedFieldsOperationUpdate, "", 5, `{"f:data":{"f:a":{}}}`)),
			NoDrift},
		{"an unreadable entry of another manager counts as drift",
			object(applied),
			object(applied, entry("odd", metav1.ManagedFieldsOperationUpdate, "", 5, `not json`)),
			Drift},
	}
	tests = append(tests, struct {
		name          string
		before, after *metav1.PartialObjectMetadata
		want          Verdict
	}{"a field lost in the second of the controller's own last write",
		object(entry(tide, metav1.ManagedFieldsOperationApply, "", 59, tideData)),
		object(entry(tide, metav1.ManagedFieldsOperationApply, "", 59, tideDataOnlyA)),
		MaybeDrift})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(1_700_000_000+60, 0)
			if got := Drifted(tt.before, tt.after, map[string]bool{tide: true}, now); got != tt.want {
				t.Errorf("Drifted = %v, want %v", got, tt.want)
			}
		})
	}
}

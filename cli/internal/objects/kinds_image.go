package objects

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// ImageRepository is image.toolkit.fluxcd.io/v1 ImageRepository: `tide
// get images repository` shows when it was last scanned, as flux does.
var ImageRepository = &Kind{
	Kind:           imagev1.ImageRepositoryKind,
	APIVersion:     imagev1.GroupVersion.String(),
	Words:          []string{"image", "repository"},
	Noun:           "image repository",
	Plural:         "ImageRepositories",
	GetCommand:     "tide get images repository",
	Aliases:        []string{"imagerepository", "imagerepo"},
	RevisionHeader: "LAST SCAN",
	Report: func(o Object) string {
		return fmt.Sprintf("scan fetched %d tags", lastScan(o).TagCount)
	},
	newObject: func() Object { return &imagev1.ImageRepository{} },
	newList:   func() client.ObjectList { return &imagev1.ImageRepositoryList{} },
}

// ImagePolicy is image.toolkit.fluxcd.io/v1 ImagePolicy: `tide get images
// policy` shows the image it chose.
var ImagePolicy = &Kind{
	Kind:           imagev1.ImagePolicyKind,
	APIVersion:     imagev1.GroupVersion.String(),
	Words:          []string{"image", "policy"},
	Noun:           "image policy",
	Plural:         "ImagePolicies",
	GetCommand:     "tide get images policy",
	Aliases:        []string{"imagepolicy"},
	RevisionHeader: "LATEST IMAGE",
	Report: func(o Object) string {
		if ref := o.(*imagev1.ImagePolicy).Status.LatestRef; ref != nil {
			return "latest image " + ref.String()
		}
		return "no image selected yet"
	},
	newObject: func() Object { return &imagev1.ImagePolicy{} },
	newList:   func() client.ObjectList { return &imagev1.ImagePolicyList{} },
}

// ImageUpdateAutomation is image.toolkit.fluxcd.io/v1 ImageUpdateAutomation
// (`tide ... image update`): `tide get images update` shows its last run.
var ImageUpdateAutomation = &Kind{
	Kind:           imagev1.ImageUpdateAutomationKind,
	APIVersion:     imagev1.GroupVersion.String(),
	Words:          []string{"image", "update"},
	Noun:           "image update",
	Plural:         "ImageUpdateAutomations",
	GetCommand:     "tide get images update",
	Aliases:        []string{"imageupdateautomation", "imageupdate"},
	RevisionHeader: "LAST RUN",
	// As flux: the Ready message says what the run did (pushed, or
	// nothing to update).
	Report: func(o Object) string {
		u := o.(*imagev1.ImageUpdateAutomation)
		if c := ReadyCondition(u); c != nil && c.Message != "" {
			return c.Message
		}
		if u.Status.LastAutomationRunTime != nil {
			return "last run " + u.Status.LastAutomationRunTime.Format(time.RFC3339)
		}
		return "automation not yet run"
	},
	newObject: func() Object { return &imagev1.ImageUpdateAutomation{} },
	newList:   func() client.ObjectList { return &imagev1.ImageUpdateAutomationList{} },
}

// ImageKinds are the image automation kinds (`tide get images all`).
var ImageKinds = []*Kind{ImageRepository, ImagePolicy, ImageUpdateAutomation}

// imageRevision is the REVISION cell of the image kinds, as flux's columns:
// an ImageRepository's last scan time, an ImagePolicy's latest image, an
// ImageUpdateAutomation's last run time.
func imageRevision(obj runtime.Object) (string, bool) {
	switch o := obj.(type) {
	case *imagev1.ImageRepository:
		s := lastScan(o)
		if s.ScanTime.IsZero() {
			return "", true
		}
		return s.ScanTime.UTC().Format(time.RFC3339), true
	case *imagev1.ImagePolicy:
		if o.Status.LatestRef == nil {
			return "", true
		}
		return o.Status.LatestRef.String(), true
	case *imagev1.ImageUpdateAutomation:
		if o.Status.LastAutomationRunTime == nil {
			return "", true
		}
		return o.Status.LastAutomationRunTime.UTC().Format(time.RFC3339), true
	}
	return "", false
}

func lastScan(o runtime.Object) imagev1.ScanResult {
	if r := o.(*imagev1.ImageRepository).Status.LastScanResult; r != nil {
		return *r
	}
	return imagev1.ScanResult{}
}

// HeadersFor are the `tide get` columns for objects of k: Headers, with
// the kind's own name for the REVISION column.
func HeadersFor(k *Kind, allNamespaces bool) []string {
	h := Headers(allNamespaces)
	if k == nil || k.RevisionHeader == "" {
		return h
	}
	for i, name := range h {
		if name == "REVISION" {
			h[i] = k.RevisionHeader
		}
	}
	return h
}

// KindsIn are the kinds whose CLI words start with group ("source",
// "image"), in table order.
func KindsIn(group string) []*Kind {
	var out []*Kind
	for _, k := range Kinds {
		if len(k.Words) == 2 && k.Words[0] == group {
			out = append(out, k)
		}
	}
	return out
}

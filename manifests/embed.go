// Package manifests embeds Tide's install manifests (the generated CRDs and
// each controller's Deployment and RBAC), so that the tide CLI installs
// exactly what this folder holds. Each controller's folder stands alone.
package manifests

import "embed"

// FS holds crds/ and one folder per controller.
//
//go:embed crds source-controller kustomize-controller helm-controller notification-controller
var FS embed.FS

// Controllers are the folders of FS that install one controller each.
var Controllers = []string{"source-controller", "kustomize-controller", "helm-controller", "notification-controller"}

// Package access gives an applier its connection to the cluster an object
// targets, as Flux's spec.serviceAccountName and spec.kubeConfig say: the
// local cluster as the controller, the local cluster as an impersonated
// service account, or a remote cluster from a kubeconfig Secret (checked
// as Flux checks it: nothing from the controller's file system, no
// credential plugins or insecure TLS unless a flag allows them).
//
// What a connection is (a controller-runtime client, Helm's REST client
// getter) is the caller's: Clusters builds it once per cluster and
// identity and shares it, and follows a kubeconfig Secret when it changes.
package access

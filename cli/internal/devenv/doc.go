// Package devenv runs the whole Tide system on this machine, with no
// Docker and no cluster: a control plane from binaries the project builds
// itself (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
// kwok with one fake node), a local Git server holding the demo fleet repo
// made from examples/, a Helm chart repository and an OCI registry holding
// the demo's chart and artifact (packages chartrepo and registry), both
// controllers as local processes, and a bootstrap of the cluster from that
// repo. `tide dev up` and `make run` call Up;
// `tide dev down` calls Down.
package devenv

// Command kube-apiserver is upstream's kube-apiserver, built from the module proxy
// so tests and the local demo need no downloaded binary.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}

module github.com/tidegitops/tide/kustomize-controller

go 1.26.0

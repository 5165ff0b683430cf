module github.com/tidegitops/tide/source-controller

go 1.26.0

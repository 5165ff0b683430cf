module github.com/tidegitops/tide/testkit

go 1.26.0

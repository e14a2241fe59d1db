//go:build tools

// Pins the etcd server built by hack/install-binaries.sh so that go.sum covers it.
package tools

import _ "go.etcd.io/etcd/server/v3"

package dashboard

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strings"
	"testing"
)

// TestVendoredFilesAreTheRegistrys checks that the vendored uPlot files
// are byte for byte those of the npm package named in
// web/vendor/uplot/SOURCE (SHA256SUMS was taken from `npm pack` of that
// version, whose integrity SOURCE records): no hand edits slip in.
func TestVendoredFilesAreTheRegistrys(t *testing.T) {
	sums, err := fs.ReadFile(files, "web/vendor/uplot/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(sums)))
	n := 0
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", sc.Text())
		}
		b, err := fs.ReadFile(files, "web/vendor/uplot/"+name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, want %s (re-vendor with server/dashboard/vendor.sh)", name, got, want)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("SHA256SUMS lists %d files, want 3", n)
	}
}

package viz

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/mmi-go/mmi/internal/atomicfile"
)

// writePNG encodes img as PNG and writes it to path atomically.
func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("viz: encoding %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	return nil
}

package trig

import (
	"math"
	"math/rand/v2"
	"testing"
)

// reference computes sin(2πs), cos(2πs) with math.Sincos after removing
// the whole turns exactly, so that 2π·r loses nothing that matters.
func reference(s float64) (float64, float64) {
	r := s - math.Round(s)
	return math.Sincos(2 * math.Pi * r)
}

// TestSincos2Pi compares with math.Sincos on arguments reduced exactly,
// at every quarter-turn boundary and its neighbours (where a wrong
// rotation or sign shows as an error of order 1) and at random arguments
// up to 2⁴⁰ turns. The tolerance 4e-16 is two units in the last place of
// values near 1: the polynomials are package math's, so the two differ
// only by the rounding of the reduced argument.
func TestSincos2Pi(t *testing.T) {
	check := func(s float64) {
		t.Helper()
		gs, gc := Sincos2Pi(s)
		ws, wc := reference(s)
		if math.Abs(gs-ws) > 4e-16 || math.Abs(gc-wc) > 4e-16 {
			t.Fatalf("Sincos2Pi(%v) = %v, %v; want %v, %v", s, gs, gc, ws, wc)
		}
	}
	for q := -16; q <= 16; q++ {
		for _, e := range []float64{0, 1e-17, -1e-17, 1e-9, -1e-9, 0.124, -0.124, 0.125, -0.125} {
			check(float64(q)/4 + e)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		scale := math.Pow(2, float64(r.IntN(41))-10)
		check(scale * (2*r.Float64() - 1))
	}
}

func TestSincos2PiSpecial(t *testing.T) {
	for _, s := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if sn, cs := Sincos2Pi(s); !math.IsNaN(sn) || !math.IsNaN(cs) {
			t.Errorf("Sincos2Pi(%v) = %v, %v; want NaN, NaN", s, sn, cs)
		}
	}
	if sn, cs := Sincos2Pi(0); sn != 0 || cs != 1 {
		t.Errorf("Sincos2Pi(0) = %v, %v; want 0, 1", sn, cs)
	}
}

// BenchmarkSincos2Pi against math.Sincos(2πs) on random arguments of the
// size Fourier features see (|s| up to a few turns).
func BenchmarkSincos2Pi(b *testing.B) {
	xs := make([]float64, 4096)
	out := make([]float64, 2*len(xs))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range xs {
		xs[i] = 3 * r.NormFloat64()
	}
	b.Run("trig", func(b *testing.B) {
		for b.Loop() {
			for i, s := range xs {
				out[2*i], out[2*i+1] = Sincos2Pi(s)
			}
		}
		b.ReportMetric(float64(b.N*len(xs))/b.Elapsed().Seconds()/1e6, "Mcalls/s")
	})
	b.Run("to", func(b *testing.B) {
		for b.Loop() {
			Sincos2PiTo(out[:len(xs)], out[len(xs):], xs)
		}
		b.ReportMetric(float64(b.N*len(xs))/b.Elapsed().Seconds()/1e6, "Mcalls/s")
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, s := range xs {
				out[2*i], out[2*i+1] = math.Sincos(2 * math.Pi * s)
			}
		}
		b.ReportMetric(float64(b.N*len(xs))/b.Elapsed().Seconds()/1e6, "Mcalls/s")
	})
}

// TestSincos2PiTo checks the slice form, whose blocks of four run in
// assembly on amd64, against the scalar function bit for bit (lengths
// 0 … 13 cover blocks and tails, in place and not), and its fall-back
// for arguments beyond the exact reduction.
func TestSincos2PiTo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 13; n++ {
		s := make([]float64, n)
		for i := range s {
			s[i] = 5 * r.NormFloat64()
		}
		sin, cos := make([]float64, n), make([]float64, n)
		Sincos2PiTo(sin, cos, s)
		for i, v := range s {
			ws, wc := Sincos2Pi(v)
			if math.Float64bits(sin[i]) != math.Float64bits(ws) || math.Float64bits(cos[i]) != math.Float64bits(wc) {
				t.Fatalf("n=%d: Sincos2PiTo at %v = %v, %v; Sincos2Pi %v, %v", n, v, sin[i], cos[i], ws, wc)
			}
		}
		Sincos2PiTo(s, cos, s) // in place
		for i := range s {
			if s[i] != sin[i] {
				t.Fatalf("n=%d: in place, sin[%d] = %v, want %v", n, i, s[i], sin[i])
			}
		}
	}
	s := []float64{0.1, 1e300, 0.3, math.NaN(), 0.7}
	sin, cos := make([]float64, 5), make([]float64, 5)
	Sincos2PiTo(sin, cos, s)
	for i, v := range s {
		ws, wc := math.Sincos(2 * math.Pi * v)
		if i == 1 || i == 3 {
			if math.Float64bits(sin[i]) != math.Float64bits(ws) || math.Float64bits(cos[i]) != math.Float64bits(wc) {
				t.Errorf("Sincos2PiTo at %v = %v, %v; want math.Sincos's %v, %v", v, sin[i], cos[i], ws, wc)
			}
			continue
		}
		if math.Abs(sin[i]-ws) > 4e-16 || math.Abs(cos[i]-wc) > 4e-16 {
			t.Errorf("Sincos2PiTo at %v = %v, %v; want %v, %v", v, sin[i], cos[i], ws, wc)
		}
	}
}

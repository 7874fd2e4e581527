package suite

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The targets of a problem (issue "defaults that hold on data nobody tuned
// them for"): every region of the simplex within MaxRelErr of the oracle,
// and every transfer i → j within MaxRatio of noise → j or, where both sit
// at the floor of the measurement, at most EnergyFloor.
const (
	MaxRelErr   = 0.02
	MaxRatio    = 2
	EnergyFloor = 0.005
)

// Settings configure Score. A zero field means the documented default.
type Settings struct {
	// Points is the number of draws x ~ ρ(α) per α of the oracle report
	// (gk.ReportSettings.Points); default 2000.
	Points int
	// N is the number of samples per transfer and of fresh target
	// samples; default 2000 (the energy distance of two exact sets of
	// 2000 is within about ±0.002 of 0 in normalized units).
	N int
	// Seed fixes the report's points, the transfers' sources and the
	// fresh targets.
	Seed uint64
	// Options are the integration settings of the transfers (nil: the
	// default adaptive solver of generate, as mmi path and transfer use).
	Options *generate.Options
}

func (s Settings) withDefaults() Settings {
	if s.Points == 0 {
		s.Points = 2000
	}
	if s.N == 0 {
		s.N = 2000
	}
	return s
}

// Transfer is the quality of one transfer i → j (i = 0: noise → j).
type Transfer struct {
	From int `json:"from"`
	To   int `json:"to"`
	// Energy is the energy distance between the transferred samples and
	// fresh samples of j in the problem's units: data units divided by
	// the problem's pooled scale (PooledScale), the scale a pooled
	// normalization fits. A fixed unit per problem, not the model's own
	// normalization, so that models normalized differently compare and
	// the floor EnergyFloor means the same for all of them.
	Energy float64 `json:"energy"`
	// Ratio is Energy over noise → j's energy, the latter taken as at
	// least EnergyFloor/MaxRatio (an estimate at the floor of the
	// measurement, even a negative one, does not make the ratio
	// meaningless); 1 for noise → j itself.
	Ratio float64 `json:"ratio"`
	// OK: Ratio ≤ MaxRatio, that is Energy ≤ max(MaxRatio · noise → j,
	// EnergyFloor).
	OK bool `json:"ok"`
}

// Result is the score of a model on one problem.
type Result struct {
	Name string `json:"name"`
	Dim  int    `json:"dim"`
	K    int    `json:"k"`
	// Report is the model against the exact oracle, region by region.
	Report *gk.Report `json:"report"`
	// WorstRegion names the region of Report.Worst.
	WorstRegion string `json:"worst_region"`
	// Transfers are noise → j for every j, then i → j along the straight
	// edge for every ordered pair of data marginals.
	Transfers []Transfer `json:"transfers"`
	// WorstTransfer is the transfer i ≥ 1 of the largest Ratio.
	WorstTransfer Transfer `json:"worst_transfer"`
	// Pass: every region within MaxRelErr and every transfer OK.
	Pass bool `json:"pass"`
}

// Score measures gen (a trained model with its normalization, whose data
// marginals are the mixtures mix) on the problem mix: gk.CompareOracle
// against the oracle of the normalized mixtures, and the energy distance
// of noise → j and of every transfer i → j (straight edges) to fresh
// samples of j.
func Score(ctx context.Context, name string, gen *generate.Generator, mix []*marginals.Mixture, s Settings) (*Result, error) {
	s = s.withDefaults()
	k1, d := gen.Sizes()
	if len(mix) != k1-1 || len(mix) == 0 || mix[0].Dim() != d {
		return nil, fmt.Errorf("suite: %s: the model has %d data marginals of dimension %d, the problem %d", name, k1-1, d, len(mix))
	}
	norm := gen.Normalization()
	nmix, err := gk.NormalizeMixtures(mix, norm)
	if err != nil {
		return nil, err
	}
	o, err := gk.NewOracle(nmix)
	if err != nil {
		return nil, err
	}
	rep, err := gk.CompareOracle(gen.Conditional(), o, gk.ReportSettings{Points: s.Points, Seed: s.Seed})
	if err != nil {
		return nil, err
	}
	res := &Result{Name: name, Dim: d, K: k1 - 1, Report: rep}
	for _, r := range rep.Regions {
		if r.RelErr == rep.Worst {
			res.WorstRegion = r.Name()
		}
	}
	scale := PooledScale(mix)
	truth := make([][]float64, k1)
	for j := 1; j < k1; j++ {
		if truth[j], err = gen.Draw(j, s.N, generate.ChunkRand(^s.Seed, j)); err != nil {
			return nil, err
		}
	}
	energy := func(x []float64, j int) float64 { return metrics.Energy(x, truth[j], d) / scale }
	noise := make([]float64, k1)
	for j := 1; j < k1; j++ {
		p, err := generate.Polyline(k1, 0, j)
		if err != nil {
			return nil, err
		}
		r, err := gen.Run(ctx, generate.Job{Path: p, N: s.N, Seed: s.Seed, Options: s.Options})
		if err != nil {
			return nil, fmt.Errorf("suite: %s: 0 → %d: %w", name, j, err)
		}
		noise[j] = energy(r.X, j)
		res.Transfers = append(res.Transfers, Transfer{From: 0, To: j, Energy: noise[j], Ratio: 1, OK: true})
	}
	res.Pass = rep.Worst <= MaxRelErr
	for i := 1; i < k1; i++ {
		for j := 1; j < k1; j++ {
			if i == j {
				continue
			}
			p, err := generate.Polyline(k1, i, j)
			if err != nil {
				return nil, err
			}
			r, err := gen.Run(ctx, generate.Job{Path: p, N: s.N, Seed: s.Seed + uint64(i), Options: s.Options})
			if err != nil {
				return nil, fmt.Errorf("suite: %s: %d → %d: %w", name, i, j, err)
			}
			e := energy(r.X, j)
			ratio := e / math.Max(noise[j], EnergyFloor/MaxRatio)
			t := Transfer{From: i, To: j, Energy: e, Ratio: ratio, OK: ratio <= MaxRatio}
			res.Transfers = append(res.Transfers, t)
			res.Pass = res.Pass && t.OK
			if len(res.Transfers) == k1 || ratio > res.WorstTransfer.Ratio {
				res.WorstTransfer = t
			}
		}
	}
	return res, nil
}

// PooledScale returns the scale of the pooled normalization of the
// mixtures, exactly: the root mean square per coordinate of the distance
// of the pooled data to their mean, which gk.FitAffine estimates from
// draws. Score measures energy distances in it.
func PooledScale(mix []*marginals.Mixture) float64 {
	d := mix[0].Dim()
	center := make([]float64, d)
	means := make([][]float64, len(mix))
	for k, m := range mix {
		means[k] = m.Mean()
		floats.AddScaled(center, 1/float64(len(mix)), means[k])
	}
	ss := 0.0
	for k, m := range mix {
		ss += mat.Trace(m.Cov()) + floats.Distance(means[k], center, 2)*floats.Distance(means[k], center, 2)
	}
	return math.Sqrt(ss / float64(len(mix)*d))
}

// Summary is the suite's worst case over the results of several problems.
type Summary struct {
	Problems int `json:"problems"`
	Passed   int `json:"passed"`
	// WorstRegion is the largest region error of any problem, in the
	// problem WorstRegionProblem (region WorstRegionName).
	WorstRegion        float64 `json:"worst_region"`
	WorstRegionProblem string  `json:"worst_region_problem"`
	WorstRegionName    string  `json:"worst_region_name"`
	// Identity is the largest identity residual of any problem.
	Identity float64 `json:"identity"`
	// WorstTransfer is the transfer of the largest Ratio, in
	// WorstTransferProblem.
	WorstTransfer        Transfer `json:"worst_transfer"`
	WorstTransferProblem string   `json:"worst_transfer_problem"`
	// RegionsMet and TransfersMet count the problems that meet each
	// target alone.
	RegionsMet   int `json:"regions_met"`
	TransfersMet int `json:"transfers_met"`
}

// Summarize returns the worst case of results.
func Summarize(results []*Result) (Summary, error) {
	if len(results) == 0 {
		return Summary{}, errors.New("suite: no results to summarize")
	}
	sum := Summary{Problems: len(results), WorstRegion: -1}
	for _, r := range results {
		if r.Pass {
			sum.Passed++
		}
		if r.Report.Worst <= MaxRelErr {
			sum.RegionsMet++
		}
		if r.Report.Worst > sum.WorstRegion {
			sum.WorstRegion, sum.WorstRegionProblem, sum.WorstRegionName = r.Report.Worst, r.Name, r.WorstRegion
		}
		sum.Identity = math.Max(sum.Identity, r.Report.Identity)
		ok := true
		for _, t := range r.Transfers {
			ok = ok && t.OK
		}
		if ok {
			sum.TransfersMet++
		}
		if t := r.WorstTransfer; sum.WorstTransferProblem == "" || t.Ratio > sum.WorstTransfer.Ratio {
			sum.WorstTransfer, sum.WorstTransferProblem = t, r.Name
		}
	}
	return sum, nil
}

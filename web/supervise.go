package web

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"banhao/cases"
)

// The charts of /supervise, laid out here and drawn by the template as inline SVG: no script,
// no style attribute (the CSP refuses both); colours come from classes in site.css. Each chart
// scales to its box through its viewBox, and names itself with <title> and <desc>; the figures
// behind it are in a table on the same page.

// chartWidth is the width of both charts in viewBox units: at a phone's 360 px a 15-unit label
// is 11 px, on a desktop (the box is at most 40rem) about 20 px.
const chartWidth = 440

// svgBar is one bar: its box, a class, and its text (a tooltip and for screen readers).
type svgBar struct {
	X, Y, W, H string
	Class      string
	Text       string
}

// svgText is one label.
type svgText struct {
	X, Y   string
	Anchor string // start, middle or end
	Text   string
}

// dayChart is the cases submitted per day of the period.
type dayChart struct {
	Width, Height int
	Title, Desc   string
	Bars          []svgBar
	Grid          []svgText // horizontal lines with their values (X unused)
	Labels        []svgText // days under the axis
	Left, Right   int
	Base          string // y of the axis
	Days          []cases.DayCount
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// niceCeil rounds n up to 1, 2 or 5 times a power of ten (an axis that reads easily).
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// newDayChart lays out the bars of cases per day.
func newDayChart(days []cases.DayCount) dayChart {
	const left, right, top, base = 52, chartWidth - 6, 14, 196
	c := dayChart{Width: chartWidth, Height: 236, Left: left, Right: right, Base: num(base), Days: days}
	total, busiest := 0, cases.DayCount{}
	for _, d := range days {
		total += d.Submitted
		if d.Submitted > busiest.Submitted {
			busiest = d
		}
	}
	top0 := niceCeil(busiest.Submitted)
	scale := float64(base-top) / float64(top0)
	ticks := []int{0, top0}
	if top0%2 == 0 {
		ticks = []int{0, top0 / 2, top0}
	}
	for _, v := range ticks {
		c.Grid = append(c.Grid, svgText{X: num(left - 6), Y: num(base - float64(v)*scale), Anchor: "end", Text: strconv.Itoa(v)})
	}
	n := len(days)
	step := float64(right-left) / float64(max(n, 1))
	for i, d := range days {
		h := float64(d.Submitted) * scale
		c.Bars = append(c.Bars, svgBar{X: num(left + float64(i)*step + step*0.1), Y: num(base - h), W: num(step * 0.8), H: num(h),
			Class: "bar", Text: fmt.Sprintf("%s：%d 件", d.Day, d.Submitted)})
	}
	if n > 0 {
		c.Labels = append(c.Labels, svgText{X: num(left), Y: num(base + 24), Anchor: "start", Text: days[0].Day.String()})
		if n > 1 {
			c.Labels = append(c.Labels, svgText{X: num(right), Y: num(base + 24), Anchor: "end", Text: days[n-1].Day.String()})
		}
	}
	c.Title = "每日提交的办件"
	if n > 0 {
		c.Desc = fmt.Sprintf("%s 至 %s 共 %d 天，提交 %d 件，日均 %.1f 件", days[0].Day, days[n-1].Day, n, total, float64(total)/float64(n))
		if busiest.Submitted > 0 {
			c.Desc += fmt.Sprintf("；最多的一天是 %s，%d 件", busiest.Day, busiest.Submitted)
		}
		c.Desc += "。逐日数字见下方“按日数据”。"
	}
	return c
}

// rateChart is the on-time rate (按时办结率) per department: one row a department, its name and
// rate above a bar whose length is the rate.
type rateChart struct {
	Width, Height int
	Title, Desc   string
	Rows          []rateRow
	More          int // departments with decided cases left out of the chart (they are in the table)
}

type rateRow struct {
	Name, Value svgText
	Track, Bar  svgBar
}

// maxRateRows keeps the chart short on a phone; the table lists every department.
const maxRateRows = 12

// newRateChart lays out the departments with decided cases, those with the most first.
func newRateChart(depts []cases.StatsRow) rateChart {
	var list []cases.StatsRow
	for _, d := range depts {
		if d.OnTimeRate != nil {
			list = append(list, d)
		}
	}
	slices.SortStableFunc(list, func(a, b cases.StatsRow) int { return (b.OnTime + b.Late) - (a.OnTime + a.Late) })
	c := rateChart{Width: chartWidth, Title: "各部门按时办结率"}
	if len(list) > maxRateRows {
		c.More, list = len(list)-maxRateRows, list[:maxRateRows]
	}
	const rowH, barY, barH, pad = 50, 26, 14, 2
	low := ""
	for i, d := range list {
		y := float64(i*rowH + pad)
		rate := *d.OnTimeRate
		class := "bar good"
		switch {
		case rate < 0.7:
			class = "bar low"
		case rate < 0.9:
			class = "bar mid"
		}
		text := fmt.Sprintf("%s：按时办结率 %s（%d 件中按时 %d 件）", d.Name, d.OnTimePercent(), d.OnTime+d.Late, d.OnTime)
		c.Rows = append(c.Rows, rateRow{
			Name:  svgText{X: "0", Y: num(y + 18), Anchor: "start", Text: d.Name},
			Value: svgText{X: num(chartWidth), Y: num(y + 18), Anchor: "end", Text: fmt.Sprintf("%s（%d/%d）", d.OnTimePercent(), d.OnTime, d.OnTime+d.Late)},
			Track: svgBar{X: "0", Y: num(y + barY), W: num(chartWidth), H: num(barH), Class: "track"},
			Bar:   svgBar{X: "0", Y: num(y + barY), W: num(rate * chartWidth), H: num(barH), Class: class, Text: text},
		})
		if rate < 0.9 {
			if low != "" {
				low += "、"
			}
			low += d.Name + " " + d.OnTimePercent()
		}
	}
	c.Height = len(list)*rowH + pad*2
	if len(list) > 0 {
		c.Desc = fmt.Sprintf("已作出决定的办件最多的 %d 个部门的按时办结率（决定日不晚于承诺办结日的比例）。", len(list))
		if low != "" {
			c.Desc += "低于 90% 的有：" + low + "。"
		} else {
			c.Desc += "均不低于 90%。"
		}
	}
	return c
}

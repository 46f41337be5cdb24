package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Messages after a redirect. A page shows only its own texts, chosen by a code in the query
// (?done=imported); an unknown code shows nothing, so that a link cannot put words ("系统升级，
// 请至 … 重新登录") into the center's pages. A count the text needs travels as n= and is read
// as an integer; a form post that fails renders its page again in place with the error.

// flashes maps a page's codes to its texts; %d takes n.
type flashes map[string]string

var (
	certFlashes    = flashes{"imported": "已导入 %d 个电子证照", "revoked": "电子证照已注销"}
	myFlashes      = flashes{"agent": "已授权代办人", "revoked": "已撤销代办授权，代办人立即不能再代本单位办理", "draft": "已保存草稿（编号 %d），可随时继续填写"}
	sectionFlashes = flashes{"saved": "版块已保存"}
	deptFlashes    = flashes{"saved": "部门已保存"}
	calFlashes     = flashes{"day": "已保存该日设置；没有在办件的期限需要调整", "days": "已保存 %d 天；没有在办件的期限需要调整",
		"day_retry":       "已保存该日设置；在办件期限的重新计算未完成，系统将在几秒后自动重试",
		"days_retry":      "已保存 %d 天；在办件期限的重新计算未完成，系统将在几秒后自动重试",
		"day_recomputed":  "已保存该日设置；期限受影响的在办件、事后核查和 12345 工单已按新日历重新计算（%d 件），并记入各自的办理过程",
		"days_recomputed": "已保存 %d 天；期限受影响的在办件、事后核查和 12345 工单已按新日历重新计算（%d 件），并记入各自的办理过程"}
	apptFlashes   = flashes{"cancelled": "预约已取消"}
	grantFlashes  = flashes{"granted": "已授予窗口授权（编号 %d）", "revoked": "已撤销窗口授权（编号 %d）"}
	manageFlashes = flashes{"hall": "大厅设置已保存", "service": "排队业务已保存", "counter": "窗口已保存", "device": "本设备已登记", "revoke_device": "设备已停用"}
	deskFlashes   = flashes{"call": "已叫号", "recall": "已重呼", "start": "开始办理", "finish": "已办结", "no_show": "已按过号处理",
		"transfer": "已转移", "park": "已暂挂", "resume": "已恢复办理", "open": "窗口已开启", "close": "窗口已暂停", "none": "当前没有等候的号"}
)

// text is the message the request's ?done= code (and n=) asks for, or "".
func (f flashes) text(r *http.Request) string {
	q := r.URL.Query()
	t, ok := f[q.Get("done")]
	if !ok {
		return ""
	}
	var args []any
	for _, key := range []string{"n", "m"}[:min(strings.Count(t, "%d"), 2)] {
		v, err := strconv.Atoi(q.Get(key))
		if err != nil || v < 0 {
			return ""
		}
		args = append(args, v)
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}

// done is path with the code (and count, if n >= 0; a second one as m, if given) of the
// message its page is to show.
func done(path, code string, n int, m ...int) string {
	v := url.Values{"done": {code}}
	if n >= 0 {
		v.Set("n", strconv.Itoa(n))
	}
	if len(m) > 0 {
		v.Set("m", strconv.Itoa(m[0]))
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + v.Encode()
}

// ticketNumber is the form of a queue ticket's number (A001, BC012): the desk's message
// names the ticket only when the query's number has that form.
var ticketNumber = regexp.MustCompile(`^[A-Z]{1,2}[0-9]{3,5}$`)

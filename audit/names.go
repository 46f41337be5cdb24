package audit

// ActionNames are the Chinese names of every action the log records, as the audit log and the
// timelines show them to people. A test reads the source for every action written and finds
// it here.
var ActionNames = map[string]string{
	// staff accounts
	"user.add":            "新建工作人员账号",
	"user.login":          "登录",
	"user.login_failed":   "登录失败",
	"user.logout":         "退出登录",
	"user.update":         "修改工作人员账号",
	"user.disable":        "停用工作人员账号",
	"user.enable":         "启用工作人员账号",
	"user.reset_password": "重置工作人员密码",
	// applicants' accounts and agents
	"applicant.register":             "开设申请人账号",
	"applicant.code":                 "发送登录验证码",
	"applicant.login":                "申请人登录",
	"applicant.login_failed":         "申请人登录失败",
	"applicant.authorise":            "授权代办",
	"applicant.revoke_authorisation": "撤销代办授权",
	"applicant.act_for":              "代办人代为办理",
	// the catalog and the calendar
	"section.put":    "保存版块",
	"department.put": "保存部门",
	"item.put":       "保存事项",
	"item.derive":    "派生实施事项",
	"bundle.put":     "保存一件事",
	"catalog.import": "导入事项目录",
	"catalog.export": "导出事项目录",
	"calendar.set":   "设置工作日",
	// the network of centers
	"region.put": "保存区划",
	"center.put": "保存服务中心",
	// cases
	"case.submit":             "提交申请",
	"case.accept":             "受理",
	"case.correction":         "一次性告知补正",
	"case.supply":             "补交材料",
	"case.reject":             "不予受理",
	"case.suspend":            "中止/特别程序",
	"case.resume":             "恢复计时",
	"case.extend":             "延期",
	"case.decide":             "作出决定",
	"case.deliver":            "出件",
	"case.route":              "流转",
	"case.transfer_send":      "材料流转：寄出",
	"case.transfer_receive":   "材料流转：签收",
	"case.originals_check":    "收件核验",
	"case.withdraw":           "撤回",
	"case.terminate":          "终止办理",
	"case.rules":              "秒批审核",
	"case.claim":              "认领",
	"case.deadline_recompute": "重新计算期限", // the calendar changed: cases.RecomputeDeadlines
	// window authorisations (首席代表/授权窗口) for 即办 at the window
	"window_grant.add":        "授予窗口授权",
	"window_grant.revoke":     "撤销窗口授权",
	"case.release":            "释放",
	"case.stage":              "进入下一阶段",
	"case.warning":            "时限预警",
	"case.commitment_missed":  "容缺材料逾期未补交",
	"case.read_personal_data": "查看个人信息",
	"case.read_material":      "查看申请材料",
	// 告知承诺 (cases/promise.go)
	"case.commitment_sign":     "签署承诺书",
	"case.commitment_approve":  "承诺制审批通过",
	"case.commitment_withheld": "不适用告知承诺（有信用记录）",
	"case.post_check":          "事后核查",
	"case.revoke":              "撤销许可",
	"credit.record":            "记入信用记录",
	"cases.stats_export":       "导出办件统计",
	"notice.issue":             "出具文书",
	"file.upload":              "上传文件",
	// 秒到账: payment instructions of approved cases (cases/payments.go)
	"case.payment_order":   "生成支付指令",
	"case.payment_confirm": "资金已到账",
	"case.payment_refuse":  "支付被拒",
	"case.payment_resend":  "更正收款账户并重新发送",
	"case.payment_fail":    "支付发送失败",
	// certificates
	"certificate_type.save": "保存证照类型",
	"certificate.issue":     "签发电子证照",
	"certificate.import":    "导入电子证照",
	"certificate.revoke":    "注销电子证照",
	"certificate.read":      "调阅电子证照",
	// the hall
	"hall.save":           "保存大厅设置",
	"queue_service.save":  "保存排队业务",
	"queue.close_days":    "日终清理排队号",
	"queue.stats_export":  "导出排队统计",
	"counter.save":        "保存窗口",
	"counter.open":        "开启窗口",
	"counter.close":       "暂停窗口",
	"device.enroll":       "登记大厅设备",
	"device.revoke":       "注销大厅设备",
	"ticket.issue":        "取号",
	"ticket.call":         "叫号",
	"ticket.recall":       "重呼",
	"ticket.start":        "开始办理",
	"ticket.finish":       "办结",
	"ticket.no_show":      "过号",
	"ticket.transfer":     "转窗口",
	"ticket.park":         "暂挂",
	"ticket.resume":       "恢复办理",
	"appointment.book":    "预约",
	"appointment.cancel":  "取消预约",
	"appointment.checkin": "预约签到",
	// 12345 and 好差评
	"hotline.create":        "受理来电",
	"hotline.dispatch":      "派单",
	"hotline.reply":         "答复",
	"hotline.close":         "回访办结",
	"hotline.follow":        "整改回访",
	"hotline.due_soon":      "答复期限将至提醒",
	"hotline.overdue":       "超期未答复督办",
	"hotline.due_recompute": "重新计算答复期限", // the calendar changed: hotline.RecomputeDue
	"rating.create":         "评价",
	"rating.follow_up":      "差评回访整改",
}

// ObjectNames are the Chinese names of the kinds of object the log's entries are about.
var ObjectNames = map[string]string{
	"window_grant": "窗口授权",
	"user":         "工作人员账号", "applicant": "申请人账号", "authorisation": "代办授权",
	"section": "版块", "department": "部门", "item": "事项", "bundle": "一件事", "catalog": "事项目录", "calendar_day": "工作日",
	"region": "区划", "center": "服务中心",
	"case": "办件", "cases": "办件统计", "file": "文件", "credit_record": "信用记录",
	"certificate_type": "证照类型", "certificate": "电子证照",
	"hall": "大厅", "queue_service": "排队业务", "counter": "窗口", "hall_device": "大厅设备", "ticket": "排队号", "appointment": "预约",
	"hotline_ticket": "12345 工单", "rating": "评价",
}

// ActionName is an action as a person reads it (an unnamed one, which the test does not let
// into the code, shows as itself).
func ActionName(action string) string {
	if n, ok := ActionNames[action]; ok {
		return n
	}
	return action
}

// ObjectName is a kind of object as a person reads it.
func ObjectName(objectType string) string {
	if n, ok := ObjectNames[objectType]; ok {
		return n
	}
	return objectType
}

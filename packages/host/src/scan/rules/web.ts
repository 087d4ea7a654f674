/**
 * mamori's own YARA rules for JSP, ASP/ASPX, uploads, images and .htaccess.
 * Same meta as php.ts (score, technique, description). The externals
 * `extension` (lower case, no dot) and `filename` are set per file by the
 * scanner (`bench/scan.mjs` gives YARA the same with -d).
 */
import { each } from './patterns.js';

/** An ASP.NET page's request read: Request.QueryString, .Form, .Item, .Params, .Headers, .Cookies, .InputStream, Request[...]. */
// (and ASP.NET Core's Request.Query, Request.Body and Request.RouteValues: Razor pages, .cshtml)
const ASPX_REQUEST = String.raw`/Request\s*(\.\s*(QueryString|Form|Item|Params|Headers|Cookies|InputStream|Query|Body|RouteValues)\b|\s*\[)/ nocase`;
/** Base64 decoded from something the request holds, through HttpContext or one call (FromBase64String(HttpUtility.UrlDecode(Context.Request...))): a pattern's body. */
const B64_OF_REQUEST = String.raw`FromBase64String\s*\(\s*([A-Za-z_][\w.]{0,40}\s*\(\s*)?([A-Za-z_]\w{0,20}\s*\.\s*){0,3}Request`;

/**
 * The request's value as a path, read whole or decoded or joined on the way (Encoding.UTF8.GetString(Convert.FromBase64String(..)),
 * HttpUtility.UrlDecode(..), Path.Combine(.., up to three such: YARA 4 finds a repeat of the whole group too complex), through any object (c.Request of a handler's context): a
 * pattern's body, up to the word Request. (Red team S42R-16 to -18.)
 */
const PATH_OF_REQUEST = String.raw`((System\s*\.\s*Text\s*\.\s*)?(Encoding\s*\.\s*\w{2,20}|new\s+\w{2,20}Encoding\s*\(\s*\))\s*\.\s*GetString\s*\(\s*)?((System\s*\.\s*)?((Web\s*\.\s*)?(HttpUtility|Server)\s*\.\s*(UrlDecode|UrlPathDecode|HtmlDecode)|Convert\s*\.\s*FromBase64String|Uri\s*\.\s*UnescapeDataString|(IO\s*\.\s*)?Path\s*\.\s*(Combine|GetFullPath))\s*\(\s*|\(\s*string\s*\)\s*|""\s*\+\s*){0,3}([A-Za-z_]\w{0,30}\s*\.\s*){0,2}Request\b`;

/** An ASP.NET page listing the server's drives. */
const ASPX_DRIVES = String.raw`/\b(Environment\s*\.\s*GetLogicalDrives|DriveInfo\s*\.\s*GetDrives|Directory\s*\.\s*GetLogicalDrives)\s*\(/`;
/** A path held to a list or a root: Array.IndexOf, a full path's StartsWith, a StartsWith with a StringComparison. */
const ASPX_PATH_GUARD = String.raw`/\bArray\s*\.\s*IndexOf\s*\(|GetFullPath\s*\([^)\n]{0,80}\)\s*\.\s*StartsWith\s*\(|\.\s*StartsWith\s*\([^)\n]{0,60}StringComparison/`;

export const WEB_RULES = String.raw`
rule mamori_jsp_runtime_exec_input {
  meta:
    score = 95
    technique = "jsp-exec"
    description = "JSP running a command taken from the request (Runtime.exec / ProcessBuilder)"
  strings:
    $rt = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\)?\s*\.\s*exec\s*\(/
    $pb = /new\s+(java\s*\.\s*lang\s*\.\s*)?ProcessBuilder\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
    // (a request listener's event, and a WebSocket endpoint's message: the input of listener and websocket memory shells)
    $in2 = /getServletRequest\s*\(\s*\)\s*\)?\s*\.\s*(getParameter|getHeader)\s*\(/
    $in3 = /\bvoid\s+onMessage\s*\(\s*String\s+\w{1,40}\s*[,)]/
    $direct = /exec\s*\(\s*(new\s+String\[\]\s*\{[^}\n]{0,80})?request\s*\.\s*getParameter\s*\(/
    $rtv = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*;/
    $execv = /\b[A-Za-z_]\w{0,30}\s*\.\s*exec\s*\(/
  condition:
    $direct or (($rt or $pb or ($rtv and $execv)) and any of ($in*))
}

rule mamori_jsp_runtime_exec {
  meta:
    score = 40
    technique = "jsp-exec"
    description = "JSP page that runs operating-system commands"
  strings:
    $rt = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
    $pb = /new\s+(java\s*\.\s*lang\s*\.\s*)?ProcessBuilder\s*\(/
    $jsp1 = "<%"
    $jsp2 = "<jsp:"
  condition:
    ($rt or $pb) and any of ($jsp*) and not mamori_jsp_runtime_exec_input
}

rule mamori_jsp_classloader_shell {
  meta:
    score = 95
    technique = "jsp-classloader"
    description = "JSP defining a class from request bytes (a class-loader shell)"
  strings:
    $def = /\bdefineClass\s*\(|get(Declared)?Method\s*\(\s*"defineClass"/
    $cl = "ClassLoader"
    $in = /request\s*\.\s*(getReader|getInputStream|getParameter|getHeader)\s*\(/
    $dec1 = "Cipher.getInstance"
    $dec2 = /Base64\s*\.\s*get(Mime)?Decoder\s*\(/
    $dec3 = "decodeBuffer"
    $dec4 = "decodeBase64"
    $eq = /\.\s*newInstance\s*\(\s*\)\s*\.\s*equals\s*\(/
    $dec5 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    // (or the class's bytes in the page, and a method of it called with the request's values in an
    // array: the Cknife/Caidao loader's go.invoke(null, new Object[]{..}), session 25, set K)
    $inv = /\.\s*invoke\s*\(\s*(null|\w{1,40})\s*,\s*new\s+Object\s*\[\s*\]\s*\{/
  condition:
    $def and $cl and $in and (any of ($dec*) or $eq or $inv)
}

rule mamori_jsp_script_engine_input {
  meta:
    score = 85
    technique = "jsp-eval"
    description = "JSP evaluating request input with an embedded language (a script engine, Groovy, EL, SpEL), or a script of its own that starts processes with request input"
  strings:
    $eng = /ScriptEngineManager|NashornScriptEngineFactory|getEngineBy(Name|Extension|MimeType)\s*\(|GroovyShell|ELProcessor|ExpressionFactory|SpelExpressionParser/
    $direct = /\.\s*(eval|evaluate|parseExpression|createValueExpression)\s*\(\s*(request\s*\.\s*get(Parameter|Header|Reader|InputStream|QueryString)\s*\(|new\s+(java\s*\.\s*io\s*\.\s*)?InputStreamReader\s*\(\s*request\b)/
    $api = /"[^"\n]{0,200}(java\.lang\.(Runtime|ProcessBuilder)|ProcessBuilder|getRuntime\s*\(\s*\)\s*\.\s*exec|java\.lang\.Class\.forName)/
    $call = /\.\s*(eval|evaluate|createValueExpression|getValue)\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    $eng and ($direct or ($api and $call and $in))
}

rule mamori_jsp_reflection_exec {
  meta:
    score = 90
    technique = "jsp-exec"
    description = "JSP reaching Runtime.exec or ProcessBuilder through reflection, with request input"
  strings:
    $cls = /(Class\s*\.\s*forName|\bloadClass|\bfindProviderClass|\bfindClass)\s*\(\s*"java\.lang\.(Runtime|ProcessBuilder)"|\b(Runtime|ProcessBuilder)\s*\.\s*class\b/
    $m = /get(Declared)?Method\s*\(\s*([\w.]{1,60}\s*,\s*)?"(exec|start|getRuntime)"/
    $in = /request\s*\.\s*(getParameter|getHeader|getInputStream|getReader)\s*\(/
  condition:
    all of them
}

rule mamori_jsp_file_writer {
  meta:
    score = 40
    technique = "file-manager"
    description = "JSP writing a file whose path or content the request gives"
  strings:
    $a = /new\s+(File|FileOutputStream|FileWriter)\s*\(\s*request\s*\.\s*getParameter\s*\(/
    $b = /new\s+(FileOutputStream|FileWriter)\s*\(\s*application\s*\.\s*getRealPath\s*\(\s*request\s*\.\s*getParameter/
  condition:
    any of them
}

rule mamori_aspx_eval_request {
  meta:
    score = 100
    technique = "asp-eval"
    description = "ASP/ASPX evaluating request input as code (the China Chopper one-liner and its kin)"
  strings:
    // (a collection's Get too: Request.Params.Get("c"), Request.Form.Get("c"), S24 set G)
    $js = /\beval\s*\(\s*Request(\s*\.\s*(Item|Form|QueryString|Cookies|ServerVariables|Params|Headers))?(\s*\.\s*Get(Values)?)?\s*[\[(]/ nocase
    $vbs0 = /(^|[^.\w])Execute(Global)?\s*\(?\s*Request(\s*\.\s*(Item|Form|QueryString|Cookies|ServerVariables|Params|Headers))?(\s*\.\s*Get(Values)?)?\s*[\[(]/ nocase
    $vbs1 = /(^|[^.\w])Eval\s+Request(\s*\.\s*(Item|Form|QueryString|Cookies|ServerVariables|Params|Headers))?(\s*\.\s*Get(Values)?)?\s*[\[(]/ nocase
  condition:
    any of them
}

rule mamori_asp_execute_built {
  meta:
    score = 80
    technique = "asp-eval"
    description = "classic ASP running, with Execute, a string it builds at run time (Chr() of numbers, Split/Join, StrReverse) in a small page"
  strings:
    $x = /(^|[\r\n:])[ \t]*Execute(Global)?[ \t]*\(?[ \t]*[A-Za-z_][A-Za-z0-9_]{0,40}[ \t]*\)?[ \t]*(\r?\n|:|%>|$)/ nocase
    $b1 = /\bStrReverse\s*\(/ nocase
    $b2 = /\bJoin\s*\(\s*Split\s*\(/ nocase
    $b3 = /\bChr[WB]?\s*\(\s*[A-Za-z_][A-Za-z0-9_]{0,40}\s*\(/ nocase
    $b4 = /\bArray\s*\(\s*\d{2,3}\s*,\s*\d{2,3}\s*,\s*\d{2,3}\s*,\s*\d{2,3}\s*,/ nocase
    $b5 = /\bChr[WB]?\s*\(\s*\d{1,4}\s*[-+*\/]/ nocase
    $b6 = /\bChr[WB]?\s*\(\s*[A-Za-z_][A-Za-z0-9_]{0,40}\s*[-+*\/]\s*\d/ nocase
  condition:
    (extension == "asp" or extension == "asa" or extension == "cer") and filesize < 8KB and $x and any of ($b*)
}

rule mamori_aspx_process_start {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET starting a process with a command from the request"
  strings:
    $ps = /Process\s*\.\s*Start\s*\(/ nocase
    $psi = "ProcessStartInfo" nocase
    // (a collection's Get too: Request.Params.Get("c"), Request.Form.Get("c"), S24)
    $in = /Request\s*(\.\s*(Form|QueryString|Item|Params|Headers)\s*)?(\.\s*Get(Values)?\s*)?[\[(]/ nocase
    $cmd = "cmd.exe" nocase
    $out = "StandardOutput" nocase
    // (through a cast or a new ProcessStartInfo of it too, and a TextBox's text on a page with one, S21B-25)
    $direct = /Process\s*\.\s*Start\s*\(\s*(new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?ProcessStartInfo\s*\(\s*)?(\(\s*string\s*\)\s*)?([A-Za-z_]\w{0,30}\s*\.\s*){0,2}Request\s*(\.\s*(Form|QueryString|Item|Params|Headers)\s*)?(\.\s*Get(Values)?\s*)?[\[(]/ nocase
    $text = /Process\s*\.\s*Start\s*\(\s*(new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?ProcessStartInfo\s*\(\s*)?(\(\s*string\s*\)\s*)?\w{1,40}\s*\.\s*Text\s*[,)]/
    $tb = /<asp:TextBox\b/ nocase
  condition:
    (($ps or $psi) and $in and ($cmd or $out)) or $direct or ($text and $tb)
}

rule mamori_aspx_startinfo_input {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET setting a process's StartInfo from the request and starting it"
  strings:
    $si = /\.\s*StartInfo\s*\.\s*(FileName|Arguments)\s*=/ nocase
    // (a ProcessStartInfo's program named by the request, as the flow layer writes it: psi.FileName = Request.Form.Get("p"), S24)
    $fn = /FileName\s*=\s*(\(\s*string\s*\)\s*)?Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Query|RouteValues)\s*)?(\.\s*Get(Values)?\s*)?[\[(]/ nocase
    $psi = "ProcessStartInfo" nocase
    $start = /\.\s*Start\s*\(\s*\)/ nocase
    // (started without a call of Start written: VB's CallByName(p, "Start", ...), a delegate made with
    // AddressOf p.Start or over the method group p.Start, InvokeMember/GetMethod("Start"), S24 set G)
    $cbn = /CallByName\s*\(\s*[\w.]{1,60}\s*,\s*"Start"/ nocase
    $addr = /AddressOf\s+[\w.]{1,60}\.\s*Start\b/ nocase
    $grp = /(Func\s*<\s*bool\s*>|Action)\s*[^\n;]{0,60}\.\s*Start\s*[;)]/
    $refl = /(InvokeMember|GetMethod)\s*\(\s*"Start"/ nocase
    $ps = /Process\s*\.\s*Start\s*\(/ nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Query|RouteValues)\s*)?(\.\s*Get(Values)?\s*)?[\[(]/ nocase
  condition:
    (($si and $in) or ($fn and $psi)) and ($start or $cbn or $addr or $grp or $refl or $ps) and not mamori_aspx_process_start
}

rule mamori_aspx_webmethod_shell {
  meta:
    score = 85
    technique = "aspx-exec"
    description = "ASP.NET web service method starting a shell, or the program its caller names (its parameters are the request's)"
  strings:
    $wm = /\[[^\]\n]{0,80}\b(System\s*\.\s*Web\s*\.\s*Services\s*\.\s*)?WebMethod/ nocase
    $ps = /Process\s*\.\s*Start\s*\(/ nocase
    $psi = "ProcessStartInfo" nocase
    $sh = /cmd(\.exe)?["' ]|powershell|\/bin\/(ba)?sh\b/ nocase
    // (a program named by a parameter's or a local's name, not a constant's or a field's: new ProcessStartInfo(SofficePath, ...)
    // starts the program the service was built with, S21R-15; a short capitalised one is chopper's Z1)
    $named = /new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?ProcessStartInfo\s*\(\s*[a-z]\w{0,40}\s*[,)]|\.\s*FileName\s*=\s*[a-z]\w{0,40}\s*;/
    // (a short capitalised name, chopper's Z1, only where a parameter has such a name: "const string Git"
    // named the program the service was built with, S21B-10)
    $named3 = /new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?ProcessStartInfo\s*\(\s*[A-Z]\w{0,2}\s*[,)]|\.\s*FileName\s*=\s*[A-Z]\w{0,2}\s*;/
    $par3 = /[(,]\s*(string|object|String)\s+[A-Z]\w{0,2}\s*[,)]/
    $st = /\.\s*Start\s*\(/
  condition:
    $wm and ((($ps or $psi) and $sh) or (($named or ($named3 and $par3)) and $st))
}

rule mamori_cgi_python_exec_input {
  meta:
    score = 85
    technique = "cgi-exec"
    description = "Python CGI script running a command built from a form field or the query string"
  strings:
    // (subprocess given a list whose program is a literal runs that program, not a command line: a status page's
    // subprocess.run(["/usr/bin/uptime"]) is no shell, red team S40; unless the list is a shell's -c, or shell=True)
    $exec = /\bos\s*\.\s*(system|popen|exec[lv]p?e?)\s*\(|\bsubprocess\s*\.\s*(call|run|Popen|check_output|check_call|getoutput|getstatusoutput)\s*\(\s*([^\[\s]|\[\s*([A-Za-z_]|["'](\/usr)?(\/bin\/)?(ba|da|z|k)?sh["']))/
    $exec2 = /\bsubprocess\s*\.\s*(call|run|Popen|check_output|check_call)\s*\([^)\n]{0,300}\bshell\s*=\s*True/
    $in1 = /cgi\s*\.\s*FieldStorage\s*\(/
    $in2 = /os\s*\.\s*environ\s*(\[\s*|\.\s*get\s*\(\s*)["']QUERY_STRING/
    // (or any name with a Python "#!" line: a .cgi, red team S39S)
    $sb = /#![^\n]{0,60}python/
  condition:
    (extension == "py" or $sb at 0) and any of ($exec*) and any of ($in*)
}

rule mamori_aspx_assembly_load {
  meta:
    score = 95
    technique = "asp-classloader"
    description = "ASP.NET loading an assembly from request bytes"
  strings:
    // (given something other than a literal: Assembly.Load("System.Web") names a library, red team S29R-2, -3, -7)
    $load = /Assembly\s*\.\s*Load\s*\(\s*[^"\s)]/ nocase
    // (the application domain's own Load given a variable, AppDomain.CurrentDomain.Load(bytes) in WolfShell's
    // handlers, and classic ASP reaching it through COM, CreateObject("System.AppDomain") and Load_3, its
    // byte-array overload's COM name: held-out set T, session 28; with $bytes below)
    // (or Thread.GetDomain(), the same domain: red team S28R-9)
    $load2 = /(AppDomain\s*\.\s*CurrentDomain|Thread\s*\.\s*GetDomain\s*\(\s*\))\s*\.\s*Load\s*\(\s*[A-Za-z_]\w{0,40}\s*\)/ nocase
    $load3 = /\.\s*Load_3\s*\(\s*[A-Za-z_]\w{0,40}\s*\)/ nocase
    // (the domain kept in a variable first, var d = AppDomain.CurrentDomain; d.Load(b): S28R-8)
    $dom = /=\s*(System\s*\.\s*)?(AppDomain\s*\.\s*CurrentDomain|(System\s*\.\s*Threading\s*\.\s*)?Thread\s*\.\s*GetDomain\s*\(\s*\))\s*;/ nocase
    // (and what it loaded used at once: an XmlDocument's Load(path) gives nothing to call)
    // (a plugin host's dom.Load(name).GetTypes() is not this: red team S29R-6)
    $loadv = /\b[A-Za-z_]\w{0,40}\s*\.\s*Load\s*\(\s*[A-Za-z_]\w{0,40}\s*\)\s*\.\s*(CreateInstance|EntryPoint)\b/ nocase
    // (any Load given decoded Base64 is given bytes: only Assembly's and AppDomain's take them; what the
    // flow layer writes for d.Load(b) where b = Convert.FromBase64String(Request.Form["k"]))
    $load4 = /\.\s*Load\s*\(\s*(System\s*\.\s*)?(Convert\s*\.\s*)?FromBase64String\s*\(/ nocase
    // (.NET Core's AssemblyLoadContext, LoadFromStream(Request.Body): red team S29R-22)
    $load5 = /\.\s*LoadFromStream\s*\(/
    // (with an assembly's use in sight: an image library's Image.Load(bytes) is not one, and the word
    // Assembly alone is in pages' directives and in typeof(Program).Assembly: red team S29R-4, S29R-5)
    $asm = /\.\s*(CreateInstance|EntryPoint|GetExportedTypes)\b/
    $in1 = /Request\s*\.\s*BinaryRead\s*\(/ nocase
    // (through HttpContext too, Context.Request.Form; not the Authorization header a Basic login decodes, S29R-8)
    // (and through one call, FromBase64String(HttpUtility.UrlDecode(Request.Cookies["k"].Value)): S29R-19, S29R-43)
    $in2 = /${B64_OF_REQUEST}\s*(\.\s*(Form|Item|Params|QueryString|Cookies|BinaryRead|InputStream)\b|\s*[\[(])/ nocase
    $in3 = /Request\s*(\.\s*(Form|Item|Params))?\s*\[/ nocase
    // (and the query string, a cookie, Request.Form.Get("k") and VB.NET's Request.Form("k"), where bytes are
    // at hand ($bytes): red team S28R-10; a plugin page's Assembly.Load(Request.QueryString["name"]) is not, S29R-1)
    // (and the URL's own query, Request.Url.Query: S29R-20)
    $in6 = /Request\s*(\.\s*(Form|Item|Params|QueryString|Cookies))?\s*(\[|\.\s*Get\s*\(|\(\s*")|Request\s*\.\s*Url\s*\.\s*Query\b/ nocase
    // (the request's body read as a stream: new StreamReader(Request.InputStream), Behinder's page; session 25, set J)
    $in4 = /Request\s*\.\s*(InputStream|Body)\b/ nocase
    // (the body read without buffering, or an uploaded file's bytes: Request.GetBufferlessInputStream(), Request.Files[0].InputStream: red team S25R-8)
    $in5 = /Request\s*\.\s*(GetBufferlessInputStream|GetBufferedInputStream)\s*\(|Request\s*\.\s*Files\s*(\[[^\]\n]{0,40}\]|\.\s*Get\s*\([^)\n]{0,40}\))\s*\.\s*InputStream\b/ nocase
    // (Load(variable) is the bytes' overload only where bytes are at hand: a plugin host's
    // Load(name) holds an AssemblyName, red team S28R-4)
    $bytes = /byte\s*\[\s*\]|TransformFinalBlock\s*\(|FromBase64String\s*\(|BinaryRead\s*\(/ nocase
  condition:
    ($load or $load5 or ($load4 and $asm) or (($load2 or $load3 or ($dom and $loadv)) and $bytes)) and
    (any of ($in1, $in2, $in3, $in4, $in5) or ($in6 and $bytes))
}

rule mamori_asp_com_dotnet_loader {
  meta:
    score = 95
    technique = "asp-classloader"
    description = "classic ASP making .NET's AppDomain or BinaryFormatter through COM and loading what the request sends (DotNetToJScript's route to an assembly from a page)"
  strings:
    // (JScript's new ActiveXObject too, and single quotes: red team S29R-30, S29R-31)
    $com = /(CreateObject|ActiveXObject)\s*\(\s*["']System\.(AppDomain|Runtime\.Serialization\.Formatters\.Binary\.BinaryFormatter|Reflection\.Assembly)["']/ nocase
    // (the COM names of the byte-array overloads: Load_3, Deserialize_2; and a JScript name built, d["Load_" + 3]: red team S28R-7, S28R-11, S28R-14)
    // (and BinaryFormatter's UnsafeDeserialize, S29R-34)
    $call = /\.\s*(Load_3|Deserialize_2|UnsafeDeserialize)\b|\[\s*["'](Load_|Deserialize_)/ nocase
    // (Request.Form.Item("d") and the server's variables, HTTP_ headers among them: S29R-28, S29R-29)
    $in = /Request\s*(\.\s*(Form|QueryString|Item|BinaryRead|ServerVariables)(\s*\.\s*Item)?)?\s*[\[(]/ nocase
  condition:
    $com and $call and $in
}

rule mamori_aspx_request_assembly_file {
  meta:
    score = 85
    technique = "asp-classloader"
    description = "ASP.NET writing request bytes to a file and loading it as an assembly (Assembly.LoadFile, LoadFrom)"
  strings:
    // (the request's bytes written (WriteAllBytes of its Base64 or its body, the body copied, an upload
    // saved), then within a few lines a file named by a variable loaded or run (LoadFile, LoadFrom,
    // ExecuteAssembly, Activator.CreateInstanceFrom): red team S29R-23 to S29R-27; not a page that saves a
    // picture and elsewhere loads a library of its own bin folder, S29R-11)
    $w = /(File\s*\.\s*WriteAllBytes\s*\(\s*[^;]{1,160}(FromBase64String\s*\(\s*([A-Za-z_]\w{0,20}\s*\.\s*){0,3}Request\b|Request\s*\.\s*BinaryRead\s*\()|Request\s*\.\s*(InputStream|GetBufferlessInputStream\s*\(\s*\))\s*\.\s*CopyTo\s*\(|Request\s*\.\s*Files\s*\[[^\]\n]{0,40}\]\s*\.\s*SaveAs\s*\()[\s\S]{0,400}(Assembly\s*\.\s*(LoadFile|LoadFrom|UnsafeLoadFrom)|\.\s*ExecuteAssembly|Activator\s*\.\s*CreateInstanceFrom)\s*\(\s*[A-Za-z_]\w{0,40}\s*[,)]/ nocase
  condition:
    $w
}

rule mamori_asp_wscript_shell {
  meta:
    score = 85
    technique = "asp-exec"
    description = "classic ASP running WScript.Shell commands from the request"
  strings:
    $ws = "WScript.Shell" nocase
    // (a call on an object, not the text ".exec()" a server probe executes to test a component: held-out set H7)
    $run0 = /[\w)\]]\s*\.\s*Exec\s*\(/ nocase
    $run1 = /[\w)\]]\s*\.\s*Run\s*\(/ nocase
    $run2 = /\.(Run|Exec)\s+Request\b/ nocase
    // (and Request.Params, JScript's one-line Exec(Request.Params["c"]): held-out set U, session 29)
    $in = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*[\[(]/ nocase
  condition:
    $ws and any of ($run*) and $in
}

rule mamori_asp_wscript_output {
  meta:
    score = 50
    technique = "recon"
    description = "an ASP page running a command through WScript.Shell and writing its output into the page (a command page, here with a command of its own)"
  strings:
    $ws = "WScript.Shell" nocase
    $exec = /\.\s*Exec\s*\(/ nocase
    $out = /\.\s*StdOut\s*\.\s*Read(All|Line)?\b/ nocase
    $write = /Response\s*\.\s*Write/ nocase
  condition:
    filesize < 64KB and all of them
}

rule mamori_asp_eval_wrapped_request {
  meta:
    score = 95
    technique = "asp-eval"
    description = "ASP/ASPX evaluating request input passed through a function first (StrReverse, unescape, Replace, a decoder)"
  strings:
    $a = /(^|[^.\w])(eval|execute(global)?)\s*\(?\s*([A-Za-z_][\w.]{0,40}\s*\(\s*){1,4}Request(\s*\.\s*(Item|Form|QueryString|Cookies|ServerVariables|Params|Headers))?\s*[\[(]/ nocase
  condition:
    $a
}

rule mamori_asp_eval_of_eval {
  meta:
    score = 85
    technique = "asp-eval"
    description = "server-side JScript evaluating what an eval returned (a code string that reads the request, run twice)"
  strings:
    $ee = /(^|[^.\w])eval\s*\(\s*eval\s*\(/
    $srv1 = /runat\s*=\s*["']?server/ nocase
    $srv2 = /<%@\s*Page[^%]{0,80}Language\s*=\s*["']?\s*JScript/ nocase
  condition:
    $ee and any of ($srv*)
}

rule mamori_asp_eval_alias {
  meta:
    score = 85
    technique = "asp-eval"
    description = "server-side JScript keeping eval under another name, with request input"
  strings:
    $obj = /[{,]\s*["']?[A-Za-z_$][\w$]{0,20}["']?\s*:\s*eval\s*[,}]/
    $var = /(^|[^.\w])(var\s+)?[A-Za-z_$][\w$]{0,20}\s*=\s*eval\s*;/
    $in = /Request\s*(\.\s*(Form|QueryString|Item)\s*)?[\[(]/ nocase
    $srv1 = /runat\s*=\s*["']?server/ nocase
    $srv2 = /<%@\s*Page[^%]{0,80}Language\s*=\s*["']?\s*JScript/ nocase
  condition:
    ($obj or $var) and $in and any of ($srv*)
}

rule mamori_asp_execute_decoder {
  meta:
    score = 80
    technique = "asp-eval"
    description = "classic ASP executing the result of a decoder (character arithmetic, Chr(n - k), Chr(Asc(c) - k), Xor; or MSXML's bin.base64)"
  strings:
    $ex = /(^|[^.\w])(execute(global)?|eval)\s*\(?\s*[A-Za-z_]\w{0,30}\s*\(/ nocase
    $chr = /\bchr[wb]?\s*\(\s*[^\n()]{0,30}\(([^\n()]|\([^\n()]{0,40}\)){0,60}\)\s*[-+]\s*\w{1,12}\s*\)/ nocase
    $chr2 = /\bchr[wb]?\s*\(\s*[A-Za-z_]\w{0,20}\s*[-+]\s*\d{1,3}\s*\)/ nocase
    $xor = /\bchr[wb]?\s*\([^\n]{0,60}\bxor\b/ nocase
    // (the shift in a variable first: pk = Asc(Mid(t, i, 1)) - k ... a = a & Chr(pk), S23 set F)
    $asc = /\basc[wb]?\s*\(\s*mid[b]?\s*\([^\n]{0,60}\)\s*\)\s*[-+]\s*\w{1,12}/ nocase
    $chrv = /\bchr[wb]?\s*\(\s*[A-Za-z_]\w{0,20}\s*\)/ nocase
    // (or Base64 decoded by MSXML's bin.base64, given to Execute: red team S27R-8, a web.config's ASP)
    $b64 = /\.\s*dataType\s*=\s*"bin\.base64"/ nocase
    $exv = /(^|[^.\w])execute(global)?\s*\(?\s*[A-Za-z_]\w{0,30}\s*\(/ nocase
  condition:
    ($ex and ($chr or $chr2 or $xor or ($asc and $chrv))) or ($exv and $b64)
}

rule mamori_asp_remote_execute {
  meta:
    score = 85
    technique = "asp-eval"
    description = "classic ASP running code it fetched over HTTP (XMLHTTP's responseText given to Execute or Eval)"
  strings:
    $x = /(Microsoft|MSXML2)\s*\.\s*(Server)?XMLHTTP|WinHttp\s*\.\s*WinHttpRequest/ nocase
    $t = /\.\s*responseText\b/ nocase
    // (Execute, VBScript's: an eval( is as likely the page's client script)
    $ex = /(^|[^.\w])execute(global)?\s*\(?\s*[A-Za-z_]\w{0,30}\b/ nocase
  condition:
    filesize < 64KB and all of them
}

rule mamori_asp_binaryread_execute {
  meta:
    score = 95
    technique = "asp-eval"
    description = "classic ASP executing the request body after an Xor decryption (Behinder's ASP shell)"
  strings:
    $br = /Request\s*\.\s*BinaryRead\s*\(/ nocase
    $ex = /(^|[^.\w])execute(global)?\s*\(?\s*[A-Za-z_]\w{0,30}\s*\)?\s*[\r\n:%]/ nocase
    $xor = /\bxor\b/ nocase
  condition:
    all of them
}

rule mamori_asp_scriptcontrol_request {
  meta:
    score = 95
    technique = "asp-eval"
    description = "classic ASP handing the Request object to a script engine object and running code in it"
  strings:
    $add = /\.\s*AddObject\s*\(?\s*[^\n,]{1,60},\s*Request\b/ nocase
    $run = /\.\s*(ExecuteStatement|Eval|Run|AddCode)\s*[\s(]/ nocase
    // (or the request's text given to the engine straight: sc.ExecuteStatement Request("c"), S23)
    $sc = /ScriptControl/ nocase
    $runin = /\.\s*(ExecuteStatement|Eval|AddCode)\s*\(?\s*Request\s*(\.\s*(Form|QueryString|Item|Cookies|ServerVariables)\s*)?[\[(]/ nocase
  condition:
    ($add and $run) or ($sc and $runin)
}

rule mamori_aspx_sql_client_from_request {
  meta:
    score = 45
    technique = "db-client"
    description = "ASP/ASPX opening a database connection whose connection string, and running a query whose text, both come from the request (a database client in a page: an admin tool, or a shell's)"
  strings:
    $conn = /(SqlConnection|OleDbConnection|OdbcConnection|MySqlConnection|NpgsqlConnection|ADODB\.Connection)[\s\S]{0,200}(\(\s*|\.\s*Open\s*\(?\s*|ConnectionString\s*=\s*)Request\s*(\.\s*(Form|QueryString|Item|Params|Query)\s*)?[\[(]/ nocase
    $query = /(SqlCommand|OleDbCommand|OdbcCommand|MySqlCommand|NpgsqlCommand)\s*\(\s*Request\s*(\.\s*(Form|QueryString|Item|Params|Query)\s*)?[\[(]|\.\s*Execute\s*\(?\s*Request\s*(\.\s*(Form|QueryString|Item)\s*)?[\[(]|CommandText\s*=\s*Request\b/ nocase
    // (or a WebForms text box's Text, which is the posted form's field: held-out set H4, woanware's sql.aspx)
    $connbox = /(SqlConnection|OleDbConnection|OdbcConnection|MySqlConnection|NpgsqlConnection)[\s\S]{0,200}(Connection\s*\(\s*|ConnectionString\s*=\s*)[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*([;),]|\r?\n)/ nocase
    $querybox = /(SqlCommand|OleDbCommand|OdbcCommand|MySqlCommand|NpgsqlCommand)\s*\(\s*[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*[,)]|CommandText\s*=\s*[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*(;|\r?\n)/ nocase
  condition:
    ($conn or $connbox) and ($query or $querybox)
}

rule mamori_asp_utf7_page {
  meta:
    score = 50
    technique = "obfuscation"
    description = "ASP page read as UTF-7 (codepage 65000), a way to hide its code from readers"
  strings:
    // (with any number of leading zeros: codepage=0000065000 is 65000 too, S24 set G)
    $cp = /<%@[^%]{0,80}codepage\s*=\s*"?\s*0*65000\b/ nocase
  condition:
    $cp
}

rule mamori_asp_script_encoded {
  meta:
    score = 45
    technique = "obfuscation"
    description = "ASP page whose code is Script Encoder output (VBScript.Encode / JScript.Encode)"
  strings:
    $lang = /language\s*=\s*["']?\s*(VBScript|JScript)\.Encode/ nocase
    $blob = "#@~^"
  condition:
    $lang and $blob
}

rule mamori_aspx_process_control_input {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET starting a process whose program or arguments come from a form control (TextBox.Text)"
  strings:
    $ps = /Process\s*\.\s*Start\s*\(|\.\s*Start\s*\(\s*\)/ nocase
    $c1 = /ProcessStartInfo\s*\(\s*\w{1,40}\s*\.\s*Text\b/ nocase
    // (in $c2, $cf and $ca, one gap before ".Text" and no \b\w{1,40} in it, and $c2's gaps shorter: YARA-X
    // verified them at each hit of the string's start, and 4 MB of "ProcessStartInfo(\"cmd\", " took 2.7 s
    // ($c2), of ".Arguments = " 3.4 s ($ca), of ".FileName = " 4.6 s ($cf); now 1.0, 1.7, 1.4 s: red team S25R-17)
    // (the program written, its arguments from a control: new ProcessStartInfo("cmd.exe", "/c " + Box.Text), session 25, set J)
    // (the program a shell: "ping.exe" with a validated host from a TextBox, read through a helper by
    // the web-flow layer, was malicious 85: red team S25R-10)
    $c2 = /ProcessStartInfo\s*\(\s*@?"[^"\n]{0,40}\b(cmd|powershell|pwsh|bash|sh)(\.exe)?"\s*,\s*[^;\n]{0,60}\.\s*Text\b/ nocase
    $cf = /\.\s*FileName\s*=[^;\n]{0,80}\.\s*Text\b/ nocase
    // (also in an object initializer, new ProcessStartInfo { FileName = "cmd.exe", Arguments = "/c " + Box.Text }: red team S25R-15)
    $ca = /[.{,]\s*Arguments\s*=[^;\n]{0,80}\.\s*Text\b/ nocase
    $sh = /"(cmd|cmd\.exe|powershell|powershell\.exe|\/bin\/(ba)?sh)"/ nocase
    $c3 = /\(\s*\w{1,40}\s*\.\s*Text\s*\)/ nocase
    $slashc = /\.\s*Arguments\s*=\s*"\s*\/c\s*"\s*[+&]/ nocase
    $cmd = /"cmd(\.exe)?"/ nocase
    $psi = /ProcessStartInfo|\.\s*StartInfo\b/ nocase
    // ("/c " + Box.Text in a variable, then Process.Start(program, arguments): session 27 set Q)
    $cmdtext = /"\s*\/[ck]\s*"\s*\+\s*\w{1,40}\s*\.\s*Text\b/ nocase
    // (the program a control's text, quoted: Process.Start("\"" + Box.Text + "\"", ..); an <input runat="server">'s
    // Value is read as such a control's Text by the scanner's control layer: session 40 set H28's site packer)
    $c4 = /Process\s*\.\s*Start\s*\(\s*(@?"(\\"|[^"\n]){0,20}"\s*\+\s*)?\w{1,40}\s*\.\s*Text\b/ nocase
  condition:
    $ps and (($psi and ($c1 or $c2 or $cf or ($ca and $sh) or ($c3 and $slashc and $cmd))) or ($cmdtext and $cmd) or $c4)
}

rule mamori_aspx_process_stdin_input {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET starting a shell and writing request input to its standard input"
  strings:
    $si = /\.\s*StartInfo\s*\.\s*FileName\s*=/ nocase
    $start = /\.\s*Start\s*\(\s*\)/ nocase
    $stdin = /\.\s*StandardInput\s*\.\s*Write(Line)?\s*\(/ nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\b|\s*[\[(])/ nocase
    $sh = /cmd\.exe|powershell/ nocase
  condition:
    all of them
}

rule mamori_aspx_reflective_assembly_load {
  meta:
    score = 95
    technique = "asp-classloader"
    description = "ASP.NET calling Assembly.Load by reflection on decoded or decrypted request bytes (Godzilla)"
  strings:
    $gm1 = /typeof\s*\(\s*(System\s*\.\s*Reflection\s*\.\s*)?Assembly\s*\)\s*\.\s*GetMethod\s*\(\s*"Load"/ nocase
    // (new[] { typeof(byte[]) } too, red team S29R-21)
    $gm2 = /GetMethod\s*\(\s*"Load"\s*,\s*new\s*((System\s*\.\s*)?Type\s*)?\[\s*\]\s*\{\s*typeof\s*\(\s*byte\s*\[\s*\]\s*\)/ nocase
    // (the byte[] type as an empty array's, and the name's quotes doubled inside a verbatim string: Behinder on ASP.NET Core)
    $gm3 = /GetMethod\s*\(\s*"{1,2}Load"{1,2}\s*,\s*new\s+(System\s*\.\s*)?Type\s*\[\s*\]\s*\{\s*new\s+(System\s*\.\s*)?byte\s*\[\s*0\s*\]\s*\.\s*GetType\s*\(\s*\)/ nocase
    $in = /Request\s*(\.\s*(Form|Item|Params|BinaryRead|InputStream|Body|Cookies)\b|\s*\[)/ nocase
    $dec = /FromBase64String|CreateDecryptor|TransformFinalBlock/ nocase
  condition:
    any of ($gm*) and $in and $dec
}

rule mamori_asp_xslt_script_exec {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP/ASPX running a command from an XSLT msxsl:script block"
  strings:
    $ms = /msxsl\s*:\s*script/ nocase
    $ax = /ActiveXObject\s*\(\s*["']{1,2}wscript\.shell/ nocase
    $pr = /System\s*\.\s*Diagnostics\s*\.\s*Process/ nocase
    $ex = /\.\s*(Exec|Run|Start)\s*\(/ nocase
    $t = /TransformNode|XslCompiledTransform|EnableScript\s*=\s*true|XsltSettings\s*\(\s*(false|true)\s*,\s*true/ nocase
  condition:
    $ms and ($ax or $pr) and $ex and $t
}

rule mamori_asp_file_dropper {
  meta:
    score = 85
    technique = "file-writer"
    description = "ASP/ASPX writing request input into a file named by the request or into a script in the web root"
  strings:
    $p1 = /(CreateTextFile|OpenTextFile)\s*\(\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request\b/ nocase
    $p2 = /(CreateTextFile|OpenTextFile)\s*\(\s*Server\s*\.\s*MapPath\s*\(\s*"[^"\n]{0,80}\.(asp|aspx|asa|cer|cdx|ashx|asmx|php|jsp)"/ nocase
    $p3 = /new\s+(System\s*\.\s*IO\s*\.\s*)?(StreamWriter|FileStream)\s*\(\s*Request\b/ nocase
    $w = /(CreateTextFile|OpenTextFile|StreamWriter)\s*\([\s\S]{0,400}\.\s*Write(Line)?\s*\(?\s*(""\s*&\s*)?Request\s*(\.\s*(Form|QueryString|Item)\s*)?[\[(]/ nocase
    $ctl = /new\s+(System\s*\.\s*IO\s*\.\s*)?(FileInfo|StreamWriter|FileStream)\s*\(\s*\w{1,40}\s*\.\s*Text\b[\s\S]{0,400}\.\s*Write(Line)?\s*\(\s*\w{1,40}\s*\.\s*Text\b/ nocase
  condition:
    (any of ($p*) and $w) or $ctl
}

rule mamori_aspx_upload_to_chosen_folder {
  meta:
    score = 45
    technique = "uploader"
    description = "ASP.NET saving an uploaded file into a folder the request names"
  strings:
    $a = /\.\s*SaveAs\s*\(\s*(\w{1,40}\s*\.\s*Text|Request\s*(\.\s*(Form|QueryString|Item|Params)\s*)?[\[(][^;\n]{0,80})\s*\+/ nocase
  condition:
    $a
}

rule mamori_aspx_sql_console {
  meta:
    score = 75
    technique = "db-manager"
    description = "ASP.NET page connecting to a database server the form names, with the user and password it types, and running SQL the form writes: a database client for an intruder"
  strings:
    // (session 40 set H28: K8outSQL, "server=" + txt_SQLserver.Text.Trim() + ";database=" + .. + ";pwd=" + txt_Pass.Text,
    // then "select " + txt_Columns.Text + " from " + txt_Table.Text; an installer names the server, not the SQL)
    $conn = /"\s*(server|data\s+source|host)\s*=\s*"\s*\+\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*(Text|Value)\b/ nocase
    $pwd = /;\s*(pwd|password)\s*=\s*"\s*\+\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*(Text|Value)\b/ nocase
    // (not a value inside the SQL's quotes, where name='" + Box.Text: a setup page checking its database, red team S40)
    $sql1 = /"\s*(select|insert|update|delete|exec|drop)\b[^"'\n]{0,40}"\s*\+\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\b/ nocase
    $sql2 = /(new\s+(Sql|OleDb|Odbc|MySql|Npgsql)Command\s*\(|\.\s*CommandText\s*=)\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\b/ nocase
  condition:
    $conn and $pwd and any of ($sql*)
}

rule mamori_asp_pe_dropper {
  meta:
    score = 90
    technique = "dropper"
    description = "ASP page carrying a Windows executable (its MZ header written as Chr() or bytes) that it writes to disk and runs"
  strings:
    // (session 40 set H28: a generator's template, VheSAae = Chr(77)&Chr(90)&Chr(144)&Chr(0)&.. written to
    // %TEMP%\..\svchost.exe by Scripting.FileSystemObject and run by WScript.Shell)
    // (a whole executable: the header and at least 90 more bytes, not an upload gate comparing the first four, nor its
    // whole 64-byte DOS header: red team S40B)
    $mz1 = /Chrw?b?\s*\(\s*(77|&H4D)\s*\)\s*&\s*Chrw?b?\s*\(\s*(90|&H5A)\s*\)\s*&\s*Chrw?b?\s*\(\s*(144|&H90)\s*\)\s*&\s*Chrw?b?\s*\(\s*(0|&H0)\s*\)(\s*&\s*Chrw?b?\s*\(\s*(\d{1,3}|&H[0-9A-F]{1,2})\s*\)){90}/ nocase
    $mz2 = /[{(,]\s*(\(\s*byte\s*\)\s*)?(0x4d|77)\s*,\s*(\(\s*byte\s*\)\s*)?(0x5a|90)\s*,\s*(\(\s*byte\s*\)\s*)?(0x90|144)\s*,\s*(\(\s*byte\s*\)\s*)?(0x0?0|0)\s*,(\s*(\(\s*byte\s*\)\s*)?(0x[0-9a-f]{1,2}|\d{1,3})\s*,){90}/ nocase
    // (VB.NET's &H4D, &H5A, ..; and the executable in Base64, "TVqQAAMAAAAEAAAA..", red team S43R-29, -34)
    $mz3 = /[{(,]\s*&H4D\s*,\s*&H5A\s*,\s*&H90\s*,\s*&H0?0\s*,(\s*&H[0-9A-F]{1,2}\s*,){90}/ nocase
    $mz4 = /["']TVqQAAMAAAAEAAAA[A-Za-z0-9+\/]{120}/
    $write = /\.\s*(CreateTextFile|OpenTextFile|SaveToFile|WriteAllBytes)\s*\(/ nocase
    // (or a FileStream: File.Create(path) and fs.Write(bytes, ..), the msfvenom aspx-exe template's, held-out set H42)
    $write2 = /\bFile\s*\.\s*(Create|OpenWrite|Open)\s*\(|\bnew\s+(System\s*\.\s*IO\s*\.\s*)?FileStream\s*\(|\.\s*OpenWrite\s*\(/ nocase
    // (and a run: not WScript.Shell's LogEvent)
    $run1 = /CreateObject\s*\(\s*"\s*(WScript\.Shell|Shell\.Application)\s*"\s*\)/ nocase
    $run1b = /\.\s*(run|exec|ShellExecute)\s*[\s(]/ nocase
    $run2 = /Process\s*\.\s*Start\s*\(/ nocase
    // (a Process made and started, or a ProcessStartInfo: the same template, VB's New Process() and initialisers too,
    // red team S43R-30, -31, -35, -36)
    $run3 = /\bnew\s+(System\s*\.\s*Diagnostics\s*\.\s*)?Process(StartInfo)?\s*[({]/ nocase
    // (the executable's own PE header among its bytes for those: not a check of the 128 bytes of a DOS header and stub
    // before an antivirus is run, red team S43R-9)
    $pe = /,\s*(0x50|80|&H50)\s*,\s*(0x45|69|&H45)\s*,\s*(0x0?0|0|&H0?0)\s*,\s*(0x0?0|0|&H0?0)\s*,/ nocase
    $asp = "<%"
  condition:
    $asp and any of ($mz*) and ($write or $write2) and (($run1 and $run1b) or $run2 or ($run3 and ($pe or $mz4)))
}

rule mamori_aspx_upload_dropper_page {
  meta:
    score = 40
    technique = "uploader"
    description = "a page of a few lines whose work is saving an upload into a folder the request names (a dropper)"
  condition:
    mamori_aspx_upload_to_chosen_folder and filesize < 3KB
}

rule mamori_asp_drive_browser_copier {
  meta:
    score = 80
    technique = "file-manager"
    description = "classic ASP browsing every drive of the server and copying or deleting the folders and files the request names (a remote file explorer)"
  strings:
    // (session 41 set H32's RemExp.asp: FileSystemObject's Drives listed with their letters and shares, and
    // FSO.CopyFolder Request.QueryString("CopyFolder") & "*", "d:\\" to stage whatever the visitor picks)
    // (also through Trim, LCase, UCase or CStr: red team S41B)
    $op = /\.(CopyFolder|CopyFile|MoveFolder|MoveFile|DeleteFolder|DeleteFile)\s{0,4}\(?\s{0,4}((Trim|LCase|UCase|CStr)\s{0,4}\(\s{0,4})?Request(\.(QueryString|Form|Item))?\s{0,4}\(/ nocase
    $drives = /\.Drives\b/ nocase
    $letter = /\.DriveLetter\b/ nocase
  condition:
    $op and $drives and $letter
}

rule mamori_asp_tiny_uploader {
  meta:
    score = 40
    technique = "uploader"
    description = "an ASP or ASP.NET page of a few lines whose work is storing an upload under the name the client gave it (classic ASP's SaveAs of an upload component, ASP.NET's FileUpload.SaveAs)"
  strings:
    $save = /\.\s*SaveAs\b/ nocase
    $name = /\.\s*FileName\b/ nocase
    // (or a relative folder given straight to SaveAs, SaveAs("./" + name): held-out set U, session 29)
    // (@".\" and Path.Combine(".", name) too, red team S29U-49, S29U-50)
    $map = /Server\s*\.\s*MapPath\s*\(|\.\s*SaveAs\s*\(\s*(@?"\.{0,2}[\/\\]|([\w.]{0,20}\.)?Path\s*\.\s*Combine\s*\(\s*@?"\.{1,2}[\/\\]{0,2}")/ nocase
    // (an upload: not a spreadsheet's SaveAs beside a download's FileName, red team S28R-34)
    $up = /HasFile|PostedFile|Request\s*\.\s*Files|multipart\/form-data|FileUpload/ nocase
    // (the same done other ways: the application's folder by PhysicalApplicationPath or HostingEnvironment's
    // MapPath, the upload's stream copied to a file made there, the name taken from a form field: S28R-36)
    // (Request.MapPath and HttpRuntime.AppDomainAppPath too, and Path.Combine of the two parts: S29R-53, S29R-54, S29R-56)
    $root = /PhysicalApplicationPath|AppDomainAppPath|(HostingEnvironment|Server|Request)\s*\.\s*MapPath\s*\(/ nocase
    $save2 = /\.\s*SaveAs\b|InputStream\s*\.\s*CopyTo\s*\(/ nocase
    $name2 = /(PhysicalApplicationPath|AppDomainAppPath|MapPath\s*\([^)\n]{0,60}\))\s*(\+|&|,)\s*([A-Za-z_]\w{0,30}\s*\.\s*FileName\b|Request\s*(\.\s*(Form|QueryString|Params))?\s*[\[(])/ nocase
  condition:
    // (pages of under 3 KB, as before: a validated 3.6 KB page was caught at 4, S29R-14; and pages, not App_Code's
    // helper classes, which no URL reaches, S29R-12, S29R-13)
    filesize < 3KB and extension != "cs" and extension != "vb" and
    (($save and $name and $map and $up) or ($save2 and $root and $name2 and $up))
}

rule mamori_aspx_upload_original_name {
  meta:
    score = 45
    technique = "uploader"
    description = "ASP.NET saving an uploaded file under the name the client gave it, beside the page"
  strings:
    $a = /(SaveAs|FileStream)\s*\([^;\n]{0,160}GetFileName\s*\(\s*[\w.\[\]]{1,60}\.\s*FileName\s*\)/ nocase
    $here = /(DirectoryName|MapPath\s*\(\s*"\.?\/?"\s*\)|PhysicalPath)/ nocase
  condition:
    $a and $here
}

rule mamori_aspx_request_file_writer {
  meta:
    score = 85
    technique = "file-writer"
    description = "ASP.NET writing a file whose path and content both come from the request (File.WriteAllText, WriteAllBytes, AppendAllText)"
  strings:
    $a = /File\s*\.\s*(WriteAllText|WriteAllBytes|AppendAllText|WriteAllLines)\s*\(\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request\s*(\.\s*(Form|QueryString|Item|Params|Query)\s*)?[\[(][^;\n]{0,200},\s*(Convert\s*\.\s*FromBase64String\s*\(\s*)?Request\s*(\.\s*(Form|QueryString|Item|Params|Query)\s*)?[\[(]/ nocase
  condition:
    $a
}

rule mamori_aspx_request_files_client_name {
  meta:
    score = 75
    technique = "uploader"
    description = "ASP.NET saving each uploaded file (Request.Files) under the name the client gave it, in the web root"
  strings:
    $a = /Request\s*\.\s*Files\s*\[[^\]\n]{1,40}\]\s*\.\s*SaveAs\s*\([^;\n]{0,200}Request\s*\.\s*Files\s*\[[^\]\n]{1,40}\]\s*\.\s*FileName/ nocase
    $root = /MapPath\s*\(\s*"~?\/?\.?\/?"\s*\)|MapPath\s*\(\s*"~\/"|Request\s*\.\s*PhysicalApplicationPath|AppDomain\s*\.\s*CurrentDomain\s*\.\s*BaseDirectory/ nocase
  condition:
    $a and $root
}

rule mamori_asp_stream_request_to_file {
  meta:
    score = 85
    technique = "uploader"
    description = "classic ASP saving the request body (BinaryRead) with ADODB.Stream to a file the request names"
  strings:
    $s = "ADODB.Stream" nocase
    $w = /\.\s*Write\s*\(?\s*Request\s*\.\s*BinaryRead\b/ nocase
    $f = /SaveToFile\s*\(?\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request\b/ nocase
  condition:
    all of them
}

rule mamori_asp_execute_request_concat {
  meta:
    score = 80
    technique = "asp-eval"
    description = "classic ASP executing code put together from literals and a variable the request filled (Execute(\"...\" & a & \"...\"))"
  strings:
    $ex = /(^|[^.\w])(execute(global)?|eval)\s*\(?\s*"[^"\n]{0,200}"\s*&\s*[A-Za-z_]\w{0,30}\b/ nocase
    $req = /(^|[\s:])[A-Za-z_]\w{0,30}\s*=\s*Request\s*(\.\s*(Form|QueryString|Item|Cookies)\s*)?\(/ nocase
  condition:
    filesize < 16KB and $ex and $req
}

rule mamori_web_socket_tunnel {
  meta:
    score = 85
    technique = "tunnel"
    description = "a page relaying TCP through HTTP requests (CONNECT / READ / FORWARD / DISCONNECT with a socket kept in the session: reGeorg and kin)"
  strings:
    $c = "\"CONNECT\""
    $d = "\"DISCONNECT\""
    $r = "\"READ\""
    $f = "\"FORWARD\""
    $sock = /\b(SocketChannel|Socket)\b/
    $sess = /session\s*\.\s*(setAttribute|getAttribute|Add)\s*\(|Session\s*\[/ nocase
  condition:
    all of them
}

rule mamori_php_socket_tunnel {
  meta:
    score = 85
    technique = "tunnel"
    description = "a PHP page relaying TCP through HTTP requests: the verbs CONNECT, READ, FORWARD and DISCONNECT, a socket to a host its headers name, the request's body forwarded, the socket's state in the session (reGeorg's tunnel.nosocket.php and kin)"
  strings:
    // (held-out set Z, session 31; the verbs in either quotes, and not a webmail or a device panel using such words,
    // which name no host from the headers and forward no raw body: red team S31S-16, -17, -27)
    $c = /["']CONNECT["']/
    $d = /["']DISCONNECT["']/
    $r = /["']READ["']/
    $f = /["']FORWARD["']/
    $sock = /\b(fsockopen|pfsockopen|stream_socket_client|socket_connect)\s*\(/ nocase
    $sess = "$_SESSION"
    $body = "php://input"
    $hdr = /\b(getallheaders|apache_request_headers)\s*\(|HTTP_X_|["']X-[A-Za-z]{2,20}["']/
  condition:
    filesize < 256KB and all of them
}

rule mamori_jsp_beans_exec {
  meta:
    score = 95
    technique = "jsp-exec"
    description = "JSP calling Runtime.exec through java.beans.Expression or Statement, with request input"
  strings:
    $direct = /new\s+(java\s*\.\s*beans\s*\.\s*)?(Expression|Statement)\s*\(\s*(java\s*\.\s*lang\s*\.\s*)?Runtime\s*\.\s*getRuntime\s*\(\s*\)/
    $newq = /new\s+java\s*\.\s*beans\s*\.\s*(Expression|Statement)\s*\(/
    $new = /new\s+(Expression|Statement)\s*\(/
    $imp = /import\s*=\s*"[^"\n]{0,300}java\s*\.\s*beans\s*\.\s*(\*|Expression|Statement)|import\s+java\s*\.\s*beans\s*\.\s*(\*|Expression|Statement)/
    $rt = /Runtime\s*\.\s*getRuntime\s*\(\s*\)/
    $name = /new\s+(java\s*\.\s*beans\s*\.\s*)?(Expression|Statement)\s*\([^;]{0,120}"(exec|start)"/
    $run = /\.\s*(getValue|execute|invoke)\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    ($direct or (($newq or ($new and $imp)) and ($rt or $name))) and $run and $in
}

rule mamori_jsp_reflective_process {
  meta:
    score = 90
    technique = "jsp-exec"
    description = "JSP getting a Process from a reflective call, with request input"
  strings:
    $cast = /\(\s*(java\s*\.\s*lang\s*\.\s*)?Process\s*\)\s*[^;\n]{0,200}\.\s*(invoke|getValue)\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    $cast and $in
}

rule mamori_jsp_reflection_decoded_names {
  meta:
    score = 85
    technique = "jsp-exec"
    description = "JSP invoking a method of a class whose names it decodes at run time, with request input"
  strings:
    $fn = /Class\s*\.\s*forName\s*\(\s*[A-Za-z_]\w{0,40}\s*\(\s*"/
    $gm = /\.\s*get(Declared)?Method\s*\(\s*[A-Za-z_]\w{0,40}\s*\(\s*"/
    $inv = /\.\s*invoke\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    all of them
}

rule mamori_jsp_processimpl {
  meta:
    score = 90
    technique = "jsp-exec"
    description = "JSP opening the JDK's private process launchers (ProcessImpl, UNIXProcess, MimeLauncher)"
  strings:
    $pi = /"java\.lang\.(ProcessImpl|UNIXProcess)"|\b(ProcessImpl|UNIXProcess)\s*\.\s*class\b/
    $ml = "sun.net.www.MimeLauncher"
    $acc = /setAccessible\s*\(\s*true|newMethodAccessor\s*\(|MethodUtil\s*\.\s*invoke\s*\(/
  condition:
    ($pi or $ml) and $acc
}

rule mamori_jsp_bcel_loader {
  meta:
    score = 95
    technique = "jsp-classloader"
    description = "JSP loading a class from a BCEL-encoded string"
  strings:
    $b = "$$BCEL$$"
    $l = /loadClass\s*\(|bcel\s*\.\s*internal\s*\.\s*util\s*\.\s*ClassLoader/
  condition:
    $b and $l
}

rule mamori_jsp_remote_classloader {
  meta:
    score = 85
    technique = "jsp-classloader"
    description = "JSP loading a class from a remote or request-given URL and instantiating it"
  strings:
    $u = /new\s+(java\s*\.\s*net\s*\.\s*)?URLClassLoader\s*\(\s*new\s+(java\s*\.\s*net\s*\.\s*)?URL\s*\[\s*\]\s*\{\s*new\s+(java\s*\.\s*net\s*\.\s*)?URL\s*\(\s*("(https?|ftp|jar):|request\s*\.)/
    $n = /\.\s*loadClass\s*\([^;]{0,200}\.\s*newInstance\s*\(/
  condition:
    $u and $n
}

rule mamori_jsp_remote_service_loader {
  meta:
    score = 85
    technique = "jsp-classloader"
    description = "JSP loading the services of a jar fetched from a server named by its address (ServiceLoader over a URLClassLoader): the jar's classes run as they are found"
  strings:
    // (session 40 set H29's SPI page: ServiceLoader.load(ScriptEngineFactory, new URLClassLoader(new URL[]{new
    // URL("http://127.0.0.1:8081/x.jar")})), then iterated; the URL in a variable or an array, URLClassLoader.newInstance,
    // URI.create(..).toURL(), a for loop: red team S40B. A server named by its address: a plugin loader reads local jars
    // or its vendor's named server)
    $spi = /ServiceLoader\s*\.\s*load\s*\(/
    $ucl = /new\s+(java\s*\.\s*net\s*\.\s*)?URLClassLoader\s*\(|URLClassLoader\s*\.\s*newInstance\s*\(/
    $ip = /(new\s+(java\s*\.\s*net\s*\.\s*)?URL\s*\(|URI\s*\.\s*create\s*\()\s*"(https?|ftp):\/\/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}[:\/"]/
    $iter = /\.\s*(next|forEach|findFirst|stream)\s*\(|for\s*\([^;)]{1,80}:\s*(java\s*\.\s*util\s*\.\s*)?ServiceLoader/
    $jsp1 = "<%"
    $jsp2 = "<jsp:"
  condition:
    $spi and $ucl and $ip and $iter and any of ($jsp*)
}

rule mamori_jsp_templates_bytecode {
  meta:
    score = 90
    technique = "jsp-classloader"
    description = "JSP defining a class through TemplatesImpl's bytecodes"
  strings:
    $t = /\bTemplatesImpl\b|\b_bytecodes\b/
    $g = /\.\s*(getOutputProperties|newTransformer)\s*\(\s*\)/
    $b = /Base64|decodeBuffer|getDeclaredField|FieldUtil/
  condition:
    all of them
}

rule mamori_jsp_internal_define {
  meta:
    score = 90
    technique = "jsp-classloader"
    description = "JSP defining decoded class bytes through a JDK-internal loader (Nashorn's ScriptLoader.installClass)"
  strings:
    $n = /"jdk\.nashorn\.internal\.runtime\.ScriptLoader"|"installClass"/
    $m = /getDeclaredMethod\s*\(/
    $d = /Base64|decodeBuffer/
  condition:
    all of them
}

rule mamori_jsp_dropped_class_loaded {
  meta:
    score = 85
    technique = "jsp-classloader"
    description = "JSP writing embedded Base64 class or jar bytes to disk and loading them, with request input"
  strings:
    $w = /Files\s*\.\s*write\s*\(|new\s+FileOutputStream\s*\(/
    $b = /(Base64\s*\.\s*get(Mime)?Decoder\s*\(\s*\)\s*\.\s*decode|decodeBuffer)\s*\(\s*"[A-Za-z0-9+\/]{200}/
    $u = /new\s+(java\s*\.\s*net\s*\.\s*)?URLClassLoader\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    all of them
}

rule mamori_jsp_xmldecoder_input {
  meta:
    score = 80
    technique = "jsp-eval"
    description = "JSP deserializing request input with java.beans.XMLDecoder (an object graph that can run commands)"
  strings:
    $x = /new\s+(java\s*\.\s*beans\s*\.\s*)?XMLDecoder\s*\([^;]{0,200}request\s*\.\s*get(Parameter|InputStream|Reader|Header)\s*\(/
    $r = /\.\s*readObject\s*\(\s*\)/
  condition:
    $x and $r
}

rule mamori_jsp_xslt_request {
  meta:
    score = 45
    technique = "jsp-eval"
    description = "JSP compiling a stylesheet in a page that reads the request body (XSLT extension functions run Java)"
  strings:
    $t = /newTransformer\s*\(\s*new\s+(javax\s*\.\s*xml\s*\.\s*transform\s*\.\s*stream\s*\.\s*)?StreamSource\s*\(\s*(request\s*\.|new\s+(java\s*\.\s*io\s*\.\s*)?(StringReader|ByteArrayInputStream)\s*\(\s*[A-Za-z_]|[A-Za-z_]\w{0,30}\s*\))/
    $in = /request\s*\.\s*(getReader|getInputStream)\s*\(/
  condition:
    $t and $in
}

rule mamori_jsp_xslt_request_run {
  meta:
    score = 40
    technique = "jsp-eval"
    description = "... and running that stylesheet over a constant document (the stylesheet is the program)"
  strings:
    $const = /\.\s*transform\s*\(\s*new\s+(javax\s*\.\s*xml\s*\.\s*transform\s*\.\s*stream\s*\.\s*)?StreamSource\s*\(\s*new\s+(java\s*\.\s*io\s*\.\s*)?(ByteArrayInputStream|StringReader)\s*\(\s*"/
  condition:
    mamori_jsp_xslt_request and $const
}

rule mamori_jsp_jndi_injection {
  meta:
    score = 85
    technique = "jsp-jndi"
    description = "JSP pointing a JNDI lookup at a name the request gives, with remote class loading allowed"
  strings:
    $ds = /setDataSourceName\s*\(\s*request\s*\.\s*get(Parameter|Header)\s*\(/
    $tc = /trustURLCodebase"\s*,\s*"true"/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    $tc and ($ds or $in)
}

rule mamori_jsp_jshell_eval {
  meta:
    score = 95
    technique = "jsp-eval"
    description = "JSP evaluating request input as Java with JShell"
  strings:
    $j = /JShell\s*\.\s*(builder|create)\s*\(/
    $e = /\.\s*eval\s*\(/
    $in = /request\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getInputStream|getReader|getQueryString)\s*\(/
  condition:
    all of them
}

rule mamori_jsp_file_dropper {
  meta:
    score = 85
    technique = "file-writer"
    description = "JSP writing request input into a file whose path the request gives"
  strings:
    $p = /new\s+(java\s*\.\s*io\s*\.\s*)?(File|FileOutputStream|FileWriter|PrintWriter|RandomAccessFile)\s*\(\s*request\s*\.\s*getParameter\s*\(/
    $c = /(^|[^\w.])([A-Za-np-z_]\w{0,30}|o|ou|o[A-Za-tv-z0-9_]\w{0,29}|ou[A-Za-su-z0-9_]\w{0,28}|out\w{1,28})\s*\.\s*(write|println|print)\s*\(\s*request\s*\.\s*getParameter\s*\(/
  condition:
    $p and $c
}

rule mamori_jsp_memshell_injector {
  meta:
    score = 90
    technique = "jsp-memshell"
    description = "JSP registering a servlet, filter, listener, valve or timer at run time, through Tomcat's internals, that runs commands or loads classes (a memory shell injector)"
  strings:
    $reg = /\.\s*(addServletMappingDecoded|addServletMapping|addFilterDef|addFilterMapBefore|addFilterMap|addApplicationEventListener|addValve|createWrapper)\s*\(/
    $regname = /get(Declared)?Method\s*\(\s*"(addServletMappingDecoded|addServletMapping|addFilterDef|addFilterMapBefore|addFilterMap|addApplicationEventListener|addValve|createWrapper)"/
    $ctx = /StandardContext|ApplicationContext|getDeclaredField\s*\(/
    $timer = /Timer\s*\([^;\n]{0,80}\)\s*;?[^;]{0,200}\.\s*schedule(AtFixedRate)?\s*\(|schedule(AtFixedRate)?\s*\(\s*new\s+(java\s*\.\s*util\s*\.\s*)?TimerTask\b/
    $fld = /getDeclaredField\s*\(/
    // (or a class written with ASM that calls Runtime or ProcessBuilder: session 26, set M)
    $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|ProcessBuilder\s*\(|defineClass\s*\(|visitMethodInsn\s*\([^;]{0,120}"java\/lang\/(Runtime|ProcessBuilder)"/
    // (a JSP hidden behind another: a JspServletWrapper of its own, or Jasper's map of JSPs reached by
    // reflection, session 25, set I)
    $jsw = /extends\s+(org\s*\.\s*apache\s*\.\s*jasper\s*\.\s*servlet\s*\.\s*)?JspServletWrapper\b/
    $jsps = /getDeclaredField\s*\(\s*"jsps"|"jsps"\s*\)/
  condition:
    $exec and ((($reg or $regname) and $ctx) or ($timer and $fld) or (($jsw or $jsps) and $fld))
}

rule mamori_jsp_reflection_by_request {
  meta:
    score = 85
    technique = "jsp-exec"
    description = "JSP loading a class and calling a method both named by the request (any code the server has, run on demand)"
  strings:
    $cls = /(Class\s*\.\s*forName|\bloadClass)\s*\(\s*request\s*\.\s*getParameter\s*\(/
    $m = /get(Declared)?Method\s*\(\s*request\s*\.\s*getParameter\s*\(/
    $inv = /\.\s*invoke\s*\(/
  condition:
    all of them
}

rule mamori_aspx_command_line_input {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP/ASPX building a shell command line from request input (cmd /c or /bin/sh -c and the request), whatever starts it (Process, WMI, P/Invoke)"
  strings:
    $c = /"(cmd|cmd\.exe|powershell|powershell\.exe|\/bin\/(ba)?sh)\s+(\/c|\/k|-c|-command)\s*"\s*[+&]\s*Request\s*(\.\s*(QueryString|Form|Item|Params|Headers|Cookies)\s*)?(\.\s*Get(Values)?\s*)?[\[(]/ nocase
    // (the program and its switch as two arguments: Process.Start("cmd", "/c " + Request["c"]), S24)
    $c2 = /(cmd|cmd\.exe|powershell|powershell\.exe|\/bin\/(ba)?sh)"\s*,\s*"(\/c|\/k|-c|-command)\s*"\s*[+&]\s*Request\s*(\.\s*(QueryString|Form|Item|Params|Headers|Cookies)\s*)?(\.\s*Get(Values)?\s*)?[\[(]/ nocase
  condition:
    $c or $c2
}

rule mamori_aspx_wmi_process {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET creating a process through WMI (Win32_Process Create) with request input"
  strings:
    $w = /"Win32_Process"/ nocase
    $c = /(InvokeMethod|GetMethodParameters)\s*\(\s*"Create"/ nocase
    $in = ${ASPX_REQUEST}
  condition:
    all of them
}

rule mamori_aspx_script_eval_input {
  meta:
    score = 90
    technique = "asp-eval"
    description = "ASP.NET compiling or evaluating request input as C# (Roslyn scripting, CodeDom)"
  strings:
    $r = /CSharpScript\s*\.\s*(EvaluateAsync|RunAsync|Create|Evaluate)\s*(<[^>\n]{1,40}>)?\s*\(\s*Request\b/ nocase
    $d = /CompileAssemblyFromSource\s*\([^;\n]{0,80}Request\b/ nocase
  condition:
    any of them
}

rule mamori_aspx_embedded_assembly {
  meta:
    score = 80
    technique = "asp-classloader"
    description = "ASP.NET loading an assembly from a Base64 literal of its own and running it (an in-memory implant or memory-shell installer)"
  strings:
    $direct = /Assembly\s*\.\s*Load\s*\(\s*(System\s*\.\s*)?Convert\s*\.\s*FromBase64String\s*\(\s*"[^"\n]{0,8000}"\s*\)\s*\)\s*\.\s*(CreateInstance|GetType|EntryPoint)\b/ nocase
    $load = /Assembly\s*\.\s*Load\s*\(\s*[A-Za-z_]\w{0,40}\s*\)/ nocase
    $b64 = /FromBase64String\s*\(\s*"[A-Za-z0-9+\/]{12,}/ nocase
    $inv = /\.\s*Invoke\s*\(/ nocase
    $in = ${ASPX_REQUEST}
  condition:
    $direct or ($load and $b64 and $inv and $in)
}

rule mamori_aspx_shellcode_runner {
  meta:
    score = 90
    technique = "asp-exec"
    description = "ASP.NET running machine code of its own (VirtualAlloc and CreateThread through P/Invoke: a shellcode runner)"
  strings:
    // (imported under another name, EntryPoint = "VirtualAlloc", or the memory called through a delegate, S21B-16)
    // (or a managed buffer made executable, VirtualProtect, and run as a callback given to EnumWindows
    // and its kin; the library as a verbatim string, @"kernel32.dll": red team S27R-6)
    $va = /\bVirtual(Alloc|Protect)(Ex)?\s*\(|EntryPoint\s*=\s*"Virtual(Alloc|Protect)(Ex)?"/
    $ct = /\b(CreateThread|CreateRemoteThread|QueueUserAPC|EnumWindows|EnumChildWindows|EnumSystemLocales[AW]?|EnumDesktops[AW]?|EnumDateFormats[AW]?|CertEnumSystemStore)\s*\(|EntryPoint\s*=\s*"(CreateThread|CreateRemoteThread|QueueUserAPC|EnumWindows|EnumChildWindows|EnumSystemLocales[AW]?)"|GetDelegateForFunctionPointer\s*\(/
    $dll = /DllImport\s*\(\s*@?"kernel32/ nocase
    // (or the imports made at run time, their names decrypted: DefinePInvokeMethod, and bytes copied
    // into the memory it gave, session 27 set P: by Marshal.Copy or WriteByte, a pinned buffer's
    // address, unsafe code, or the memory's flags MEM_COMMIT | MEM_RESERVE, red team S27R-5)
    $dyn = "DefinePInvokeMethod"
    $copy = /Marshal\s*\.\s*(Copy|Write(Byte|Int16|Int32|Int64|IntPtr))\s*\(|AddrOfPinnedObject\s*\(|CompilerOptions\s*=\s*"[^"\n]{0,80}\/unsafe|\b0x3000u?\b|&H3000\b/
    // (or the functions' addresses looked up at run time, their names decrypted, and called through
    // delegates: GetProcAddress and GetDelegateForFunctionPointer, red team S27R-7)
    $gpa = /\bGetProcAddress\s*\(|EntryPoint\s*=\s*"GetProcAddress"/
    $dlg = /GetDelegateForFunctionPointer\s*[(<]/
  condition:
    ($va and $ct and $dll) or ($dyn and $copy) or ($gpa and $dlg and $copy)
}

rule mamori_asp_remote_dropper {
  meta:
    score = 85
    technique = "dropper"
    description = "ASP fetching a file over HTTP and saving it as a page the server runs (XMLHTTP and ADODB.Stream)"
  strings:
    $x = /(Microsoft|MSXML2)\s*\.\s*(Server)?XMLHTTP/ nocase
    $s = "ADODB.Stream" nocase
    // (the body written as it is or through a variable: body = h.responseBody ... st.Write body, S21B-17)
    $w = /\.\s*Write\s*\(?\s*\w{1,40}\s*\.\s*responseBody|=\s*\w{1,40}\s*\.\s*responseBody\b/ nocase
    $f = /SaveToFile\s*\(?\s*[^,\n]{0,120}\.(asp|aspx|asa|cer|cdx|php|jsp)["'\)]/ nocase
  condition:
    all of them
}

rule mamori_aspx_reflection_by_data {
  meta:
    score = 85
    technique = "asp-classloader"
    description = "ASP.NET loading an assembly and calling its types and methods all named by decoded request data"
  strings:
    $l = /Assembly\s*\.\s*(LoadWithPartialName|LoadFrom|Load)\s*\(\s*[A-Za-z_]\w{0,40}\s*\[\s*\d{1,2}\s*\]\s*\)/
    $t = /\.\s*GetType\s*\(\s*[A-Za-z_]\w{0,40}\s*\[\s*\d{1,2}\s*\]\s*\)/
    $i = /\.\s*Invoke\s*\(/
    $b = "FromBase64String"
    $in = ${ASPX_REQUEST}
  condition:
    all of them
}

rule mamori_jsp_runtime_reflect_input {
  meta:
    score = 85
    technique = "jsp-exec"
    description = "JSP calling a method of Runtime by reflection, its name worked out at run time, with request input among the arguments (exec hidden behind getMethod and invoke)"
  strings:
    $rt = /Runtime\s*\.\s*(getRuntime\s*\(\s*\)|class)/
    $gm = /\.\s*get(Declared)?Method\s*\(/
    // (the request's value handed to the method invoked: not a page reading Runtime's memory figures)
    $inv = /\.\s*invoke\s*\([^;]{0,160}request\s*\.\s*(getParameter|getHeader|getParameterValues|getQueryString|getInputStream|getReader)\s*\(/
  condition:
    all of them
}

rule mamori_jsp_reverse_shell {
  meta:
    score = 90
    technique = "reverse-shell"
    description = "JSP wiring a shell's streams to a network socket (a reverse or bind shell)"
  strings:
    $sock = /new\s+(java\s*\.\s*net\s*\.\s*)?(Server)?Socket\s*\(/
    // (or the Runtime held first, Runtime rt = Runtime.getRuntime(); .. rt.exec("/bin/sh"): held-out set H42; the shell
    // itself given to that exec, not a status page holding the Runtime for its heap and testing a file "/bin/bash", red
    // team S43R-7, -8)
    $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|ProcessBuilder\s*\(|\.\s*exec\s*\(\s*"(\/bin\/(ba|da|z)?sh|[A-Za-z]:[^"\n]{0,60}cmd\.exe|cmd(\.exe)?)"\s*\)/
    // (the shell itself, alone or interactive, not {"/bin/sh", "-c", "ping ..."}: a page checking the network
    // ran a fixed command, S21B-14)
    $sh = /"(\/bin\/(ba)?sh|cmd(\.exe)?)"\s*(\)|\}|,\s*"-i"\s*[})])/
    $pin = /getInputStream\s*\(\s*\)/
    $pout = /getOutputStream\s*\(\s*\)/
  condition:
    all of them
}

rule mamori_jsp_el_method_by_param {
  meta:
    score = 85
    technique = "jsp-eval"
    description = "a JSP EL expression calling methods whose names the request gives (\"\"[param.a](), [param['a']], [paramValues.a[0]], [header.a]: S21R-9)"
  strings:
    // (no spaces inside the brackets, so the atoms are "[param" and "[header", not "header", which PHP is full of)
    $el = /\[(param|paramValues|header|headerValues)(\.\w{1,40}|\[["']\w{1,40}["']\])(\[\d{1,2}\])?\]\s*\(/
  condition:
    $el
}

rule mamori_jsp_file_dropper_chained {
  meta:
    score = 85
    technique = "file-writer"
    description = "JSP writing request input (decoded or not) into a file whose path the request gives, in one statement"
  strings:
    $w = /(FileOutputStream|FileWriter|PrintWriter|RandomAccessFile)\s*\([^;\n]{0,200}request\s*\.\s*getParameter\s*\([^;\n]{0,200}\)\s*\.\s*(write|print|println|append|writeBytes|writeChars|writeUTF)\s*\([^;\n]{0,200}request\s*\.\s*getParameter\s*\(/
  condition:
    $w
}

rule mamori_web_deface_page {
  meta:
    score = 75
    technique = "defacement"
    description = "a defacement page: its title is a claim that someone hacked the site (Hacked by <name>), with a defacer's trappings (greetings to crews, a marquee, music, right-click blocked); a page put over the site's own"
  strings:
    // (held-out set H38: two such pages kept as .php, HTML only. The title is the claim and nothing else, decorated
    // at most: not a headline or a post-mortem about a hack, "Shop hacked by gang" or "We were hacked by ..." (red
    // team S42B-1 to -8), nor an article titled "Hacked By X: the story" (a colon or a bar after the name); and two of
    // the trappings, which news and podcast pages have one of at most)
    $title = /<title[^>\n]{0,80}>\s{0,20}[^A-Za-z0-9<\n]{0,16}(hacked|defaced|h[a4]ck[e3]d|0wn[e3]d)(\s|&nbsp;){1,4}by\b[^<\n:|]{1,60}<\/title>/ nocase
    $og = /<meta\s[^<>\n]{0,40}content\s*=\s*["'][^A-Za-z0-9"'\n]{0,16}(hacked|defaced|h[a4]ck[e3]d)\s+by\b[^"'\n:|]{1,60}["'][^<>\n]{0,40}(property|name)\s*=\s*["'](og:title|twitter:title)["']|<meta\s[^<>\n]{0,40}(property|name)\s*=\s*["'](og:title|twitter:title)["'][^<>\n]{0,40}content\s*=\s*["'][^A-Za-z0-9"'\n]{0,16}(hacked|defaced|h[a4]ck[e3]d)\s+by\b[^"'\n:|]{1,60}["']/ nocase
    $greetz = /\bgreetz\b|\bgreets\s+to\b|\bno\s+system\s+is\s+safe\b/ nocase
    $marquee = /<marquee\b/ nocase
    $music = /<(audio|embed|iframe|source)\b[^>\n]{0,200}\.(mp3|ogg|m4a)\b/ nocase
    $noclick = /\boncontextmenu\s*=\s*["']\s*return\s+false/ nocase
  condition:
    filesize < 256KB and ($title or $og) and 2 of ($greetz, $marquee, $music, $noclick)
}

rule mamori_htaccess_image_as_php {
  meta:
    score = 85
    technique = "htaccess"
    description = ".htaccess making images or text files run as PHP"
  strings:
    $t = /AddType\s+["']?application\/x-httpd-php[^\n]{0,80}\.(jpe?g|png|gif|ico|bmp|txt|svg|webp|css|js)\b/ nocase
    $h = /AddHandler\s+[^\n]{0,60}php[^\n]{0,60}\.(jpe?g|png|gif|ico|bmp|txt|svg|webp|css|js)\b/ nocase
    $f = /<Files(Match)?\s[^>\n]{0,80}(jpe?\??g|png|gif|ico|bmp|txt)[^>\n]{0,40}>[^<]{0,200}(SetHandler|ForceType)\s+["']?(application\/x-httpd-php|php\d?-script)/ nocase
    $cgi = /AddHandler\s+cgi-script[^\n]{0,60}\.(jpe?g|png|gif|ico|bmp|txt)\b/ nocase
  condition:
    any of them
}

rule mamori_htaccess_prepend {
  meta:
    score = 60
    technique = "htaccess"
    description = ".htaccess or .user.ini adding a file to every PHP request (auto_prepend_file / auto_append_file)"
  strings:
    $a = /php_value\s+auto_(prepend|append)_file\s+\S/ nocase
    $b = /auto_(prepend|append)_file\s*=\s*["']?[^\s"';]/ nocase
  condition:
    ($a and filename == ".htaccess") or ($b and filename == ".user.ini")
}

rule mamori_htaccess_sethandler_php {
  meta:
    score = 45
    technique = "htaccess"
    description = ".htaccess running every file of its directory as PHP"
  strings:
    $a = /(^|\n)[ \t]*(SetHandler|ForceType)[ \t]+["']?(application\/x-httpd-php|php\d?-script)/ nocase
  condition:
    $a and filename == ".htaccess" and not mamori_htaccess_image_as_php
}

rule mamori_script_reverse_shell {
  meta:
    score = 90
    technique = "reverse-shell"
    description = "a script connecting a shell to the network (reverse or bind shell)"
  strings:
    $tcp = /sh\s+-i\s*[^\n]{0,20}\/dev\/(tcp|udp)\//
    $nc = /-e\s+\/bin\/(ba)?sh\b/
    $py = /os\s*\.\s*dup2\s*\(\s*s\s*\.\s*fileno\s*\(\s*\)/
    $pty = /pty\s*\.\s*spawn\s*\(\s*["']\/bin\/(ba)?sh/
    $pl = /exec\s*\(?\s*["']\/bin\/(ba)?sh\s+-i["']/
    // (Perl's and C's classic forms: standard input made a copy of a socket, beside the socket made, and an interactive
    // shell run; session 35, held-out set H8's droppers. A forking server's handler, perlipc's open(STDIN, "<&Client"),
    // runs no shell; one that runs "sh -c handler" runs a command: red team S35A-7, -8)
    $plstd = /\bopen\s*\(?\s*STDIN\s*,\s*["']\s*[<>+]{1,2}\s*&/
    $plsock = /\bsocket\s*\(\s*\*?\$?[A-Za-z_]\w{0,30}\s*,\s*&?(PF|AF)_INET6?\b|\bIO::Socket::INET\b/
    $plsh = /["']\/bin\/(ba|da|z|k)?sh(\s+-i)?["']|\bexec\s*\(?\s*["']?\/bin\/(ba|da|z|k)?sh\b|;\s*\/bin\/(ba|da|z|k)?sh["']/
    $cdup = /\bdup2\s*\(\s*[A-Za-z_]\w{0,30}\s*,\s*(0|STDIN_FILENO|[a-z]\w{0,8})\s*\)/
    $cexec = /\bexec(l|lp|le)\s*\(\s*"(\/bin\/)?(ba|da|z|k)?sh"\s*,\s*"[^"\n]{0,20}"\s*,\s*(NULL|0|\(\s*char\s*\*\s*\)\s*(0|NULL)|"-i")\s*[,)]|\bsystem\s*\(\s*"\/bin\/(ba|da|z|k)?sh(\s+-i)?"\s*\)/
    $csock = /\bsocket\s*\(\s*(AF_INET6?|PF_INET6?|2)\s*,\s*(SOCK_STREAM|1)\b/
  condition:
    $tcp or $nc or $py or $pty or $pl or
    // (the shell and the socket within 4 KiB of standard input made the socket's, before or after it (a sub above, a
    // string kept first: red team S41): Perl's own debugger, perl5db.pl, redirects STDIN for a remote session
    // thousands of lines from its "/bin/sh")
    (for any i in (1..#plstd) : ($plsh in (@plstd[i] - 4096..@plstd[i] + 4096) and $plsock in (@plstd[i] - 4096..@plstd[i] + 4096))) or
    ($cdup and $cexec and $csock)
}

rule mamori_script_decoded_exec {
  meta:
    score = 80
    technique = "decoder-chain-exec"
    description = "a script running decoded data as code"
  strings:
    $py0 = /exec\s*\(\s*base64\s*\.\s*b64decode\s*\(/
    $py1 = /exec\s*\(\s*zlib\s*\.\s*decompress\s*\(/
    $py2 = /exec\s*\(\s*marshal\s*\.\s*loads\s*\(/
    $py3 = /exec\s*\(\s*codecs\s*\.\s*decode\s*\(/
    $pl = /\beval\s*\(?\s*decode_base64\s*\(/
    // (or piped to PHP, by any path: red team S44R ev29)
    $sh = /base64\s+(-d|--decode)\s*\|\s*((ba)?sh|([^\s|;'"]{0,60}\/)?php[\d.]*)\b/
    // (a crontab's or a script's PHP one-liner: php -r 'eval(gzinflate(base64_decode("..")))', held-out set H49's
    // cron command from a hacked cPanel account)
    // (a command line's: at a line's start after a crontab's schedule, or after ; && |, not a string quoted in a rule
    // file or a script's variable, red team S44R fp22)
    // (php-cli and versioned names, options with their values attached, and the decoder anywhere in the code given, before or
    // after an eval, red team S44R ev28, ev30 to ev32; an eval given a variable or a decoder, not a debug line's
    // assert(strlen($t) === 32), S44B fp22)
    $php = /(^|[\n;&|])[ \t]*([^ \t\n"'=]{1,20}[ \t]+){0,6}([^ \t\n'"=]{0,60}\/)?php[\w.-]{0,10}(\.exe)?[ \t]+(-[a-zA-Z][^ \t\n]{0,60}[ \t]+([^ \t'"\n-][^ \t\n]{0,60}[ \t]+)?){0,4}-r[ \t]*["'][^\n'"]{0,200}((eval|assert)[ \t]*\([^\n]{0,200}(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|hex2bin|strrev)[ \t]*\(|(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|hex2bin|strrev)[ \t]*\([^\n]{0,32000}\b(eval|assert)[ \t]*\([ \t]*(["']\?>["'][ \t]*\.[ \t]*)?(\$|gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|hex2bin|strrev))/
  condition:
    any of them
}

rule mamori_cgi_input_exec {
  meta:
    score = 90
    technique = "request-input-exec"
    description = "a CGI script running a command from a request parameter"
  strings:
    ${each('pl', ['system', 'exec', 'qx'], String.raw`\s*\(\s*(\$cgi\s*->\s*)?param\s*\(`, '')}
    ${each('obj', ['system', 'exec', 'qx'], String.raw`\s*\(\s*\$[A-Za-z_]\w{0,30}\s*->\s*param\s*\(`, '')}
    $py0 = /os\s*\.\s*(system|popen)\s*\(\s*form\s*(\.\s*getvalue|\[)/
    $py1 = /subprocess\s*\.\s*(call|run|Popen|check_output)\s*\(\s*form\s*(\.\s*getvalue|\[)/
  condition:
    // any CGI object's param() (my $q = CGI->new), in a Perl script only: "#!" or its extension
    any of ($pl*, $py*) or (any of ($obj*) and (extension == "pl" or extension == "cgi" or uint16(0) == 0x2123))
}

rule mamori_jsp_define_class_opened {
  meta:
    score = 90
    technique = "jsp-classloader"
    description = "JSP defining an embedded class (its bytes in the page, BCEL- or Base64-encoded) through ClassLoader.defineClass opened by reflection: a memory-shell injector"
  strings:
    $def = /get(Declared)?Method\s*\(\s*"defineClass"/
    $acc = /setAccessible\s*\(\s*true\s*\)/
    $inv = /\.\s*invoke\s*\(/
    $bcel = "$ca$fe$ba$be"
    $bcel2 = "$$BCEL$$"
    $b64 = "yv66vg"
    $jsp1 = "<%"
    $jsp2 = "<jsp:"
    // (or any Base64 text decoded in the page, and the class made an instance: a packer's template, session 25, set L)
    $dec = /getDecoder|parseBase64Binary|decodeBase64|decodeBuffer/
    $new = /\.\s*newInstance\s*\(\s*\)/
  condition:
    $def and $acc and $inv and (any of ($bcel, $bcel2, $b64) or ($dec and $new)) and any of ($jsp*)
}

rule mamori_jsp_embedded_class {
  meta:
    score = 90
    technique = "jsp-classloader"
    description = "JSP carrying a compiled Java class as a byte array (0xCAFEBABE) and defining it: a memory-shell injector"
  strings:
    // (session 39 set H25: a Resin servlet injector, its Behinder servlet written as (byte) 0xca, (byte) 0xfe, ...
    // and defined through a ClassLoader of the page's own; or the same bytes signed, {-54, -2, -70, -66, ...})
    $hex = /\(\s*byte\s*\)\s*0x[cC][aA]\s*,\s*\(\s*byte\s*\)\s*0x[fF][eE]\s*,\s*\(\s*byte\s*\)\s*0x[bB][aA]\s*,\s*\(\s*byte\s*\)\s*0x[bB][eE]\s*,/
    $signed = /[{,]\s*-54\s*,\s*-2\s*,\s*-70\s*,\s*-66\s*,/
    $def = /defineClass\s*\(/
    $jsp1 = "<%"
    $jsp2 = "<jsp:"
  condition:
    ($hex or $signed) and $def and any of ($jsp*)
}

rule mamori_jsp_deserialize_input {
  meta:
    score = 80
    technique = "jsp-deserialization"
    description = "JSP deserializing what the request sends (ObjectInputStream.readObject of a parameter or the body): an object-injection backdoor"
  strings:
    $in = /request\s*\.\s*(getParameter|getHeader)\s*\(/
    $dec = /decodeBuffer|get(Mime|Url)?Decoder\s*\(|decodeBase64|parseBase64Binary|parseHexBinary/
    $body = /ObjectInputStream\s*\(\s*(request\s*\.\s*getInputStream|new\s+[\w.]{0,40}InputStream\s*\(\s*request\s*\.\s*getInputStream)/
    $ois = /new\s+(java\s*\.\s*io\s*\.\s*)?ObjectInputStream\s*\(\s*new\s+(java\s*\.\s*io\s*\.\s*)?ByteArrayInputStream\s*\(/
    $read = /\.\s*readObject\s*\(\s*\)/
    $jsp1 = "<%"
    $jsp2 = "<jsp:"
  condition:
    // (a parameter decoded to bytes, or the body itself: not a page that reads its own cache file and a parameter besides)
    // (the stream read is of bytes in memory: a page reading its cache file through a FileInputStream,
    // with a parameter and a Base64 decoder elsewhere on it, was malicious 80, S22R-7)
    $read and ($body or ($ois and $in and $dec)) and any of ($jsp*)
}

rule mamori_jsp_reflected_request_exec {
  meta:
    score = 85
    technique = "jsp-exec"
    description = "JSP running a command read from the request through reflection (getMethod(\"getHeader\" / \"getParameter\") invoked), as memory shells for Resin, Tomcat and Jetty do"
  strings:
    $get = /getMethod\s*\(\s*"(getHeader|getParameter)"/
    $inv = /\.\s*invoke\s*\(/
    $rt = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
    $pb = /new\s+(java\s*\.\s*lang\s*\.\s*)?ProcessBuilder\s*\(/
  condition:
    $get and $inv and ($rt or $pb)
}

rule mamori_aspx_powershell_input {
  meta:
    score = 85
    technique = "aspx-exec"
    description = "ASP.NET page running PowerShell script text from the request or a form field (a Runspace pipeline's AddScript)"
  strings:
    $ps1 = /RunspaceFactory\s*\.\s*CreateRunspace\s*\(/ nocase
    $ps2 = /PowerShell\s*\.\s*Create\s*\(/ nocase
    $add = /\.\s*AddScript\s*\(/ nocase
    // (a TextBox's text read: handed to AddScript or assigned; a label written, Output.Text = ..., is
    // not input: a status page running a fixed script was malicious 85, S22R-8)
    $in1 = /(AddScript\s*\(\s*[^;]{0,80}|=\s*)(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\s*[;)+,]/
    $in2 = /Request\s*(\.\s*(Form|QueryString|Params|Item))?\s*\[/ nocase
    // (a TextBox's text trimmed or its length tested, as input is: then handed to a helper that builds
    // the pipeline, Run(Box.Text.Trim()), S23; a label written is not trimmed)
    $in3 = /\w{1,40}\s*\.\s*Text\s*\.\s*(Trim(Start|End)?\s*\(|Length\b)/
  condition:
    any of ($ps*) and $add and any of ($in*)
}

rule mamori_aspx_control_file_writer {
  meta:
    score = 80
    technique = "file-writer"
    description = "ASP.NET page writing a file whose path and content both come from form fields (a TextBox for each)"
  strings:
    $sw = /new\s+(System\s*\.\s*IO\s*\.\s*)?StreamWriter\s*\(\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\b/ nocase
    $w = /\.\s*Write(Line)?\s*\(\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\b/ nocase
    $all = /File\s*\.\s*(WriteAllText|AppendAllText)\s*\(\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\s*,\s*(this\s*\.\s*)?\w{1,40}\s*\.\s*Text\b/ nocase
  condition:
    ($sw and $w) or $all
}

rule mamori_asp_shell_application {
  meta:
    score = 90
    technique = "asp-exec"
    description = "classic ASP starting a program named by the request through Shell.Application's ShellExecute"
  strings:
    $sa = "Shell.Application" nocase
    $se = /\.\s*ShellExecute\b/ nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item))?\s*[\[(]/ nocase
  condition:
    $sa and $se and $in
}

rule mamori_asp_jscript_eval_request {
  meta:
    score = 80
    technique = "asp-eval"
    description = "classic ASP in JScript whose small page names eval and reads the request (eval handed around as a value, then given the request)"
  strings:
    $lang = /<%\s*@\s*LANGUAGE\s*=\s*["']?\s*(javascript|jscript)/ nocase
    $ev = /\beval\b/
    $in = /Request\s*(\.\s*(Form|QueryString|Item))?\s*[\[(]/ nocase
  condition:
    filesize < 8KB and $lang and $ev and $in
}

rule mamori_aspx_registry_survey {
  meta:
    score = 45
    technique = "recon"
    description = "ASP.NET page walking every registry hive (LocalMachine, Users, CurrentUser, ClassesRoot, CurrentConfig) and printing what it finds: a shell kit's survey of installed software and paths"
  strings:
    $h1 = "Registry.LocalMachine"
    $h2 = "Registry.Users"
    $h3 = "Registry.CurrentUser"
    $h4 = "Registry.ClassesRoot"
    $h5 = "Registry.CurrentConfig"
    $out = /Response\s*\.\s*Write\s*\(/
  condition:
    4 of ($h*) and $out
}

rule mamori_aspx_logon_impersonation {
  meta:
    score = 45
    technique = "aspx-exec"
    description = "ASP.NET page logging on as another Windows account (LogonUser, impersonation) with a user and password typed into the page"
  strings:
    $dll = /DllImport\s*\(\s*"advapi32(\.dll)?"/ nocase
    $logon = /\bLogonUser[AW]?\s*\(/
    $imp = /\b(Impersonate|ImpersonateLoggedOnUser|DuplicateToken)\s*\(/
    $in = /\.\s*Text\b/
  condition:
    $dll and $logon and $imp and $in
}

rule mamori_aspx_impersonated_file_access {
  meta:
    score = 40
    technique = "aspx-exec"
    description = "ASP.NET page logged on as another Windows account (LogonUser, impersonation) reading, listing or deleting the files a form field names"
  strings:
    $dll = /DllImport\s*\(\s*"advapi32(\.dll)?"/ nocase
    $logon = /\bLogonUser[AW]?\s*\(/
    $imp = /\b(Impersonate|ImpersonateLoggedOnUser|DuplicateToken)\s*\(/
    // (the path an element of what a TextBox held, split, or the text itself: not a fixed file or MapPath)
    $fs = /\b(File\s*\.\s*(ReadAllText|ReadAllBytes|ReadAllLines|OpenRead|OpenText|Delete|Copy|Move)|Directory\s*\.\s*(GetFiles|GetDirectories|GetFileSystemEntries|Delete))\s*\(\s*(this\s*\.\s*)?\w{1,40}\s*(\[|\.\s*Text\b)/
    $in = /\.\s*Text\b/
  condition:
    all of them
}

rule mamori_aspx_config_editor {
  meta:
    score = 40
    technique = "config-tamper"
    description = "ASP.NET page rewriting the site's web.config settings from a form field (OpenWebConfiguration, then Settings changed and saved)"
  strings:
    $open = /WebConfigurationManager\s*\.\s*OpenWebConfiguration\s*\(/
    $set = /\.\s*Settings\s*\.\s*(Add|Remove)\s*\(/
    $save = /\.\s*Save\s*\(\s*\)/
    $in = /\.\s*Text\b/
  condition:
    all of them
}

rule mamori_aspx_machinekey_dump {
  meta:
    score = 85
    technique = "credential-theft"
    description = "ASP.NET page writing the site's machine keys (validation and decryption keys) into its answer: with them an attacker signs a ViewState that runs code (the SharePoint ToolShell intrusions of July 2025, CVE-2025-53770)"
  strings:
    // (the keys' section reached by name, by reflection's GetApplicationConfig or by GetSection)
    $mk = /MachineKeySection|GetApplicationConfig|GetSection\s*\(\s*"system\.web\/machineKey"\s*\)/ nocase
    $vk = /\.\s*ValidationKey\b/
    $dk = /\.\s*DecryptionKey\b/
    $out = /Response\s*\.\s*(Write|Output\s*\.\s*Write|BinaryWrite)\s*\(/
  condition:
    $mk and $vk and $dk and $out
}

rule mamori_aspx_cmd_output {
  meta:
    score = 50
    technique = "recon"
    description = "an ASP.NET page running cmd.exe or PowerShell and writing what it prints into the page (a command page, here with a command of its own)"
  strings:
    // (given as a full path too, and set as StartInfo.FileName; the output read, then written: red team S29U-14 to S29U-18)
    $sh = /@?"([A-Za-z]:\\{1,2}[^"\n]{0,80}\\{1,2})?(cmd|cmd\.exe|powershell|powershell\.exe|pwsh|pwsh\.exe)"\s*[,);]/ nocase
    $proc = /ProcessStartInfo\b|Process\s*\.\s*Start\s*\(|\.\s*StartInfo\s*\.\s*FileName\s*=/
    $read = /StandardOutput\s*\.\s*ReadToEnd(Async)?\s*\(/
    $out = /Response\s*\.\s*(Output\s*\.\s*)?Write\s*\(/
  condition:
    $sh and $proc and $read and $out
}

rule mamori_aspx_self_rewrite_compile {
  meta:
    score = 85
    technique = "obfuscation"
    description = "an ASP.NET page that writes decoded code over its own file, has the server compile and run it (BuildManager), then puts its old text back (a loader whose code is never on disk for long)"
  strings:
    $build = /BuildManager\s*\.\s*(CreateInstanceFromVirtualPath|GetCompiledType|GetCompiledAssembly)\s*\(/
    $write = /File\s*\.\s*WriteAll(Text|Bytes)\s*\(/
    $own = /Request\s*\.\s*(PhysicalPath|FilePath|CurrentExecutionFilePath)\b/
    // (its old text read first, and what was compiled run on the request: not a sitemap builder that
    // compiles a page and writes sitemap.xml and robots.txt, red team S29U-2)
    $keep = /File\s*\.\s*ReadAll(Text|Bytes)\s*\(/
    $run = /\.\s*ProcessRequest\s*\(/
  condition:
    $build and #write >= 2 and $own and $keep and $run
}

rule mamori_aspx_upload_to_request_path {
  meta:
    score = 80
    technique = "uploader"
    description = "an ASP.NET page saving an upload to a path the request gives whole (any folder, any name, a page of the attacker's among them)"
  strings:
    // (read by Get, a cookie's Value, trimmed, or decoded, mapped or converted on the way: red team S29U-24 to
    // S29U-29; by index, GetValues(..)[0], ToString(), a cast, "" +, ??, string.Format, a named argument, an
    // interpolated string, Page.Request, HttpContext.Current.Request, Request.Unvalidated: S30B-6, S30B-7; or the
    // folder of Path.Combine: S30C-E1. Not through a call of the page's own, which may check or build the path
    // from an id, AvatarPath(Request["uid"]): S30C-1 to S30C-6)
    // (each way written as a pattern of its own: YARA 4 refuses one pattern holding them all as too complex)
    $save = /\.\s*SaveAs\s*\(\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*\)/ nocase
    $save2 = /\.\s*SaveAs\s*\(\s*(\(\s*string\s*\)\s*|""\s*\+\s*|string\s*\.\s*Format\s*\(\s*"\{0\}"\s*,\s*|[A-Za-z_]\w*\s*:\s*|\$"\{)(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*\)/ nocase
    $save3 = /\.\s*SaveAs\s*\(\s*(System\s*\.\s*IO\s*\.\s*)?Path\s*\.\s*Combine\s*\(\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*,/ nocase
    // (or the request's upload, or its body, written to a file the request names: File.Create, OpenWrite,
    // WriteAllBytes, new FileInfo(..).Create(), a FileStream or File.Open in a mode that writes; red team
    // S29U-30, S30B-8; not a file opened to be read and sent, S30B-1, S30B-2, S30C-2)
    $create = /\bFile\s*\.\s*(Create|OpenWrite|WriteAllBytes)\s*\(\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*[,)]/ nocase
    $create2 = /\bFile\s*\.\s*(Create|OpenWrite|WriteAllBytes)\s*\(\s*(\(\s*string\s*\)\s*|""\s*\+\s*|string\s*\.\s*Format\s*\(\s*"\{0\}"\s*,\s*|[A-Za-z_]\w*\s*:\s*|\$"\{)(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*[,)]/ nocase
    $create3 = /\bnew\s+(System\s*\.\s*IO\s*\.\s*)?FileInfo\s*\(\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*\)\s*\.\s*(Create|OpenWrite|CreateText|AppendText)\s*\(/ nocase
    $mode = /\b(new\s+(System\s*\.\s*IO\s*\.\s*)?FileStream|File\s*\.\s*Open)\s*\(\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*,\s*(System\s*\.\s*IO\s*\.\s*)?FileMode\s*\.\s*(Create|CreateNew|OpenOrCreate|Append|Truncate)\b/ nocase
    // (or the mode held in a variable, or cast from its number, (FileMode)2: red team S30C-E2; a variable only where
    // the page gives a variable a mode that writes, not a download's FileMode.Open beside an upload's own stream, and
    // the numbers of Create, CreateNew, Truncate and Append, not OpenOrCreate's, read-only as often: S31R-7 to -13)
    $mode2 = /\b(new\s+(System\s*\.\s*IO\s*\.\s*)?FileStream|File\s*\.\s*Open)\s*\(\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*,\s*(\(\s*(System\s*\.\s*IO\s*\.\s*)?FileMode\s*\)\s*[1256]\b|[A-Za-z_]\w{0,40}\s*[,)])/ nocase
    $wmode = /\b[A-Za-z_]\w{0,40}\s*=\s*(System\s*\.\s*IO\s*\.\s*)?FileMode\s*\.\s*(Create|CreateNew|Append|Truncate)\s*;/
    // (or an upload saved first, then copied or moved there: S30B-9; not an admin page copying the site's backup
    // where a form field says, which saves no upload, S30C-7)
    $copy = /\bFile\s*\.\s*(Copy|Move)\s*\([^,;\n]+,\s*(System\s*\.\s*Web\s*\.\s*)?(((HttpUtility|Server|Current\s*\.\s*Server|Context\s*\.\s*Server)\s*\.\s*(UrlDecode|MapPath|HtmlDecode)|Convert\s*\.\s*ToString|Uri\s*\.\s*UnescapeDataString|Path\s*\.\s*GetFullPath|Environment\s*\.\s*ExpandEnvironmentVariables)\s*\(\s*)?(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\s*(\.\s*Unvalidated\s*)?(\.\s*(Form|QueryString|Params|Item|Headers|Cookies))?\s*([\[(]\s*|\.\s*Get(Values)?\s*\(\s*)("[^"\n]+"|\d{1,3})\s*[\])](\s*\[\s*\d{1,3}\s*\])?(\s*\.\s*(Value|Trim\s*\(\s*\)|ToString\s*\(\s*\)))?(\s*\?\?\s*"[^"\n]*")?(\}")?\s*\)?\s*[,)]/ nocase
    $saved = /\.\s*SaveAs\s*\(/
    $cast = /\(\s*(System\s*\.\s*IO\s*\.\s*)?FileMode\s*\)\s*[1256]\b/
    $body = /Request\s*\.\s*(Files\s*[\[.]|InputStream\b|BinaryRead\s*\()|\.\s*PostedFile\s*\.\s*InputStream\b/ nocase
  condition:
    $save or $save2 or $save3 or (($create or $create2 or $create3 or $mode or ($mode2 and ($wmode or $cast))) and $body) or ($copy and $saved and $body)
}

rule mamori_asp_fso_drive_browser {
  meta:
    score = 75
    technique = "file-manager"
    description = "a classic ASP page listing the server's drives and any folder the request names, and sending any file's bytes (a file browser)"
  strings:
    $drives = /\.\s*Drives\b/ nocase
    $folder = /\.\s*GetFolder\s*\(/ nocase
    $read = /\.\s*LoadFromFile\b|\.\s*OpenTextFile\s*\(/ nocase
    // (a folder or file the request names, as the flow layer writes a variable given it: not an admin page
    // showing each drive's free space and a fixed log folder, red team S29U-1)
    $named = /\.\s*(GetFolder|GetFile|LoadFromFile|OpenTextFile)\s*[( ]\s*([A-Za-z_]\w{0,20}\s*\(\s*)?Request\b/ nocase
  condition:
    $drives and $folder and $read and $named
}

rule mamori_asp_fso_file_browser {
  meta:
    score = 75
    technique = "file-manager"
    description = "a classic ASP page listing any folder the request names, its subfolders and files, and showing any file's text (a file browser: ASP_KIT's list.asp)"
  strings:
    // (no drive list: the folder the request names, c:\ when it names none; held-out set X, session 31)
    $folder = /\.\s*GetFolder\s*\(/ nocase
    $walk = /\.\s*(SubFolders|Files)\b/ nocase
    $named = /\.\s*(GetFolder|GetFile|OpenTextFile)\s*[( ]\s*([A-Za-z_]\w{0,20}\s*\(\s*)?Request\b/ nocase
    $show = /\.\s*OpenTextFile\s*\(/ nocase
    $all = /\.\s*ReadAll\b/ nocase
    // (not a page that checks its paths for "..": a document library kept to its root, red team S31S-5)
    $dotdot = /\bInStr\s*\([^\n]{0,120}"\.\."\s*\)/ nocase
  condition:
    filesize < 64KB and $folder and $walk and $named and $show and $all and not $dotdot
}

rule mamori_aspx_drive_browser {
  meta:
    score = 75
    technique = "file-manager"
    description = "an ASP.NET page listing the server's drives and any folder the request names, and sending any file the request names (a file browser)"
  strings:
    // (as the flow layer writes a variable given the request; held-out set X, session 31)
    $drives = ${ASPX_DRIVES}
    $list = /\bnew\s+(System\s*\.\s*IO\s*\.\s*)?DirectoryInfo\s*\(\s*Request\b|\bDirectory\s*\.\s*(GetFiles|GetDirectories|EnumerateFiles|EnumerateDirectories|GetFileSystemEntries)\s*\(\s*Request\b/
    $send = /\bResponse\s*\.\s*(WriteFile|TransmitFile|BinaryWrite)\s*\(\s*(File\s*\.\s*ReadAllBytes\s*\(\s*)?Request\b/
    // (not a page that holds its paths to a list or a root: red team S31S-3, -4)
    $guard = ${ASPX_PATH_GUARD}
  condition:
    filesize < 256KB and $drives and $list and $send and not $guard
}

rule mamori_aspx_file_manager {
  meta:
    score = 75
    technique = "file-manager"
    description = "an ASP.NET file manager over the server's own paths: folders listed, files deleted, sent or taken in, on the drives it lists or the raw paths the request names (not a site's media manager, which maps its paths under the site)"
  strings:
    // (held-out set AA, session 31: a WebForms manager over the drives, its path a TextBox's, C:\ by default; a
    // manager of the folder and file the query names, editing, renaming and deleting them; as the flow layer
    // writes a variable given the request)
    $drives = ${ASPX_DRIVES}
    // (with the drives, a drive's root for its path: not an admin page's free-space widget beside its own folders,
    // red team S31S-1 to -3, -21)
    $root = /@"[A-Za-z]:\\"|"[A-Za-z]:\\\\"/
    $list = /\b(Directory\s*\.\s*(GetFiles|GetDirectories|EnumerateFiles|EnumerateDirectories|GetFileSystemEntries)|new\s+(System\s*\.\s*IO\s*\.\s*)?DirectoryInfo)\s*\(/
    $listreq = /\b(Directory\s*\.\s*(GetFiles|GetDirectories|EnumerateFiles|EnumerateDirectories|GetFileSystemEntries)|new\s+(System\s*\.\s*IO\s*\.\s*)?DirectoryInfo)\s*\(\s*(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\b/
    $edit = /\bFile\s*\.\s*(WriteAllText|WriteAllBytes|AppendAllText|Move|Copy)\s*\(\s*(Page\s*\.\s*|HttpContext\s*\.\s*Current\s*\.\s*|Context\s*\.\s*|this\s*\.\s*)?Request\b/
    $del = /\b(File|Directory)\s*\.\s*Delete\s*\(/
    $down = /\bResponse\s*\.\s*(WriteFile|TransmitFile)\s*\(/
    $up = /\.\s*SaveAs\s*\(/
    // (not a page that holds its paths to a list or a root: red team S31S-3, -4)
    $guard = ${ASPX_PATH_GUARD}
  condition:
    filesize < 512KB and $list and $del and ($down or $up) and ($listreq or $edit or ($drives and $root)) and not $guard
}

rule mamori_aspx_request_path_file_tool {
  meta:
    score = 75
    technique = "file-manager"
    description = "a small ASP.NET page working on whatever server path the request names, as sent or decoded from base64 or a URL on the way: folders listed, files read into the answer, deleted or written (a file manager held to no root)"
  strings:
    // (held-out set H37, session 42: two pages of one author taking ?action= and a base64 ?path=, one listing and
    // reading, the other deleting and writing a file whose text is base64 in the query too; as the flow layer writes
    // a variable given the request. A path mapped under the site, Server.MapPath(Request[..]), is not this)
    $list = /\b(Directory\s*\.\s*(GetFiles|GetDirectories|EnumerateFiles|EnumerateDirectories|GetFileSystemEntries|EnumerateFileSystemEntries)|new\s+(System\s*\.\s*IO\s*\.\s*)?DirectoryInfo)\s*\(\s*${PATH_OF_REQUEST}/
    $read = /\b(File\s*\.\s*(ReadAllText|ReadAllBytes|ReadAllLines|ReadLines|OpenText|OpenRead)|new\s+(System\s*\.\s*IO\s*\.\s*)?StreamReader|Response\s*\.\s*(WriteFile|TransmitFile))\s*\(\s*${PATH_OF_REQUEST}/
    $del = /\b(File|Directory)\s*\.\s*Delete\s*\(\s*${PATH_OF_REQUEST}/
    $write = /\bFile\s*\.\s*(WriteAllText|WriteAllBytes|AppendAllText|Create|OpenWrite|Copy|Move)\s*\(\s*([^,;\n]{1,200},\s*)?${PATH_OF_REQUEST}/
    // (listing and reading alone only where the path came base64: a backup page listing and sending the files of
    // folders it holds to a list is not this, red team S32A's fp05)
    $b64 = /${B64_OF_REQUEST}\b/
    $guard = ${ASPX_PATH_GUARD}
    // (or held to a root by StartsWith, or to a list by its Contains: a log viewer, an admin's cleanup page, red team
    // S42R-5, -6)
    $held = /\.\s*StartsWith\s*\(\s*([A-Za-z_]\w{0,40}|@?"[^"\n]{1,200}")\s*[,)]|\b[A-Za-z_]\w{0,40}\s*\.\s*Contains\s*\(\s*([A-Za-z_]\w{0,40}\s*\)|([A-Za-z_]\w{0,30}\s*\.\s*){0,2}Request\b)/
  condition:
    filesize < 64KB and ((($del or $write) and 2 of ($list, $read, $del, $write)) or ($b64 and $list and $read)) and not $guard and not $held
}

rule mamori_asp_upload_to_drive {
  meta:
    score = 75
    technique = "uploader"
    description = "a classic ASP page that parses an upload from the raw request and writes it where a form field says, the form offering a drive's root (ASP_KIT's up.asp)"
  strings:
    // (held-out set X, session 31: the upload written byte by byte with the FileSystemObject, the folder a posted
    // field of its own, C:\ by default)
    $bin = /\bRequest\s*\.\s*BinaryRead\s*\(/ nocase
    // (written to a name held in a variable or a posted field's entry, not to a path mapped under the site, and the
    // drive offered in the upload's own form: not a settings page with a backup drive beside a logo upload, red
    // team S31S-6, S31S-25)
    $create = /\.\s*(CreateTextFile|SaveToFile)\s*\(?\s*[A-Za-z_]\w{0,40}\s*(\(\s*"[^"\n]{1,40}"\s*\))?\s*[,)&\r\n]/ nocase
    $drive = /<input\b[^>\n]{0,160}\bvalue\s*=\s*["']?[A-Za-z]:\\{1,2}["'>\s]/ nocase
    $mp = /multipart\/form-data/ nocase
  condition:
    filesize < 64KB and $bin and $create and $drive and $mp and (for any i in (1..#drive) : (for any j in (1..#mp) : (@drive[i] > @mp[j] and @drive[i] - @mp[j] < 600)))
}

rule mamori_web_xaml_process_start {
  meta:
    score = 75
    technique = "command-exec"
    description = "a XAML workflow service (.xamlx) whose expression starts a process: IIS runs it as a page (a known way to plant a shell)"
  strings:
    // (held-out set X, session 31)
    $wf = /<WorkflowService\b|xmlns(:\w{1,20})?\s*=\s*"http:\/\/schemas\.microsoft\.com\/netfx\/2009\/xaml\/servicemodel"/
    $run = /\bProcess\s*\.\s*Start\s*\(|\bProcessStartInfo\b|\bWScript\.Shell\b/ nocase
    // (a shell, in a workflow file: not a service converting documents with LibreOffice or a deploy tool's C#
    // holding a template, red team S31S-7 to -9)
    $shell = /\b(cmd|cmd\.exe|powershell|powershell\.exe|pwsh|cscript|wscript|mshta)\b|\/bin\/(ba)?sh\b/ nocase
  condition:
    filesize < 1MB and $wf and $run and $shell and extension matches /^(xamlx|xaml|xoml)$/i
}

rule mamori_web_laudanum_kit {
  meta:
    score = 85
    technique = "webshell-kit"
    description = "a page of Laudanum, a public kit of files to plant on a server during a penetration test (shells, file browsers, proxies for ASP, ASP.NET, JSP, PHP and ColdFusion)"
  strings:
    // (the kit's own header, its sentence or its authors' address, in a page a server runs: not notes, a
    // signature file, a script hunting for it, or a security plugin's list of markers, red team S29U-8 to S29U-12)
    $name = /A Collection of Injectable Files used during a Penetration Test|laudanum@secureideas\.net/ nocase
    $code = /<%|<\?php|<cf(script|set|output)\b/ nocase
  condition:
    $name and $code and (extension == "asp" or extension == "aspx" or extension == "ashx" or extension == "asmx" or
      extension == "jsp" or extension == "jspx" or extension == "php" or extension == "phtml" or extension == "cfm" or extension == "cfml")
}

rule mamori_asp_eval_wrapper {
  meta:
    score = 85
    technique = "asp-eval"
    description = "classic ASP defining a function (or Sub) that runs its argument with Eval or Execute, in a page that reads the request (AntSword's ASP shells)"
  strings:
    $f = /\b(Function|Sub)\s+\w{1,40}\s*\(\s*(ByVal\s+)?\w{1,40}\s*\)\s*[\r\n:]*\s*(Eval|Execute|ExecuteGlobal)\s*\(?\s*\w{1,40}\s*\)?\s*([\r\n:]\s*)*End\s+(Function|Sub)\b/ nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item))?\s*[\[(]/ nocase
  condition:
    $f and $in
}

rule mamori_aspx_remote_dropper {
  meta:
    score = 85
    technique = "dropper"
    description = "ASP.NET downloading text from a URL and writing it as a page the server runs (.aspx, .ashx, .asp ...)"
  strings:
    $dl = /\.\s*(DownloadString|DownloadData|DownloadFile)\s*\(/
    $page = /MapPath\s*\(\s*"[^"\n]{0,80}\.(aspx|ashx|asmx|asp|asa|cer|config)"\s*\)/ nocase
    $write = /(File\s*\.\s*(CreateText|WriteAllText|WriteAllBytes|AppendAllText)|new\s+(System\s*\.\s*IO\s*\.\s*)?(StreamWriter|FileStream)|\.\s*DownloadFile)\s*\(/
  condition:
    $dl and $page and $write
}

rule mamori_aspx_pinvoke_shell {
  meta:
    score = 85
    technique = "reverse-shell"
    description = "an ASP.NET page calling CreateProcess through P/Invoke with Windows sockets (a reverse or bind shell giving a command interpreter a socket for its input and output)"
  strings:
    $dll = /DllImport\s*\(\s*"(kernel32|ws2_32|advapi32)(\.dll)?"/ nocase
    $cp = /\bCreateProcess(A|W|AsUser[AW]?)?\b/
    $ws = /\b(WSASocket[AW]?|WSAStartup|WSAConnect)\b/
  condition:
    $dll and $cp and $ws
}

rule mamori_web_request_forwarder {
  meta:
    score = 80
    technique = "tunnel"
    description = "a page that posts what it is sent to a server and path the request names (Remoteserver + Endpoint: the pystinger tunnel's page, in PHP, JSP or ASP.NET)"
  strings:
    // (the field names only: "Request" is a word of every other file, and each string is searched in every file)
    $srv = /["']Remoteserver["']\s*[\])]/
    $end = /["']Endpoint["']\s*[\])]/
  condition:
    filesize < 64KB and $srv and $end
}

rule mamori_jsp_webroot_writer {
  meta:
    score = 80
    technique = "file-writer"
    description = "JSP writing the request's data into the web application's own folder, under a name the request gives (a page that plants pages)"
  strings:
    // (the name given in the same statement, not the data written in the block that follows: S29)
    $path = /getRealPath\s*\([^;]{0,80}\)[^;{}]{0,80}request\s*\.\s*getParameter\s*\(/
    $out = /new\s+(FileOutputStream|FileWriter|RandomAccessFile)\s*\(|Files\s*\.\s*write\s*\(/
    $data = /\.\s*(print|println|write|append)\s*\(\s*request\s*\.\s*getParameter\s*\(|Files\s*\.\s*write\s*\([^;]{0,200}request\s*\.\s*getParameter\s*\(/
    // (a name the request gives, ended by the code with an extension no server runs: a static page
    // published, page + ".html", is not a page that plants pages)
    // (cleaned first or not, S29R-17; a message bundle or a script of the browser's too, S29R-18)
    $inert = /getRealPath\s*\([^;]{0,80}\)[^;{}]{0,80}request\s*\.\s*getParameter\s*\(\s*"[^"\n]{0,40}"\s*\)[^;{}]{0,120}\+\s*"[^"\n]{0,40}\.(html?|txt|json|xml|csv|tsv|log|css|md|properties|js|svg|ini|ya?ml)"\s*[;)]/
  condition:
    #path > #inert and $out and $data
}

rule mamori_jsp_request_deserialize {
  meta:
    score = 75
    technique = "jsp-exec"
    description = "JSP deserializing what the request sends (ObjectInputStream.readObject of request data): a gadget chain runs any code the server's libraries allow"
  strings:
    // (from bytes or the request's stream, not a file of the application's: a cache read back is not this)
    $ois = /new\s+(java\s*\.\s*io\s*\.\s*)?ObjectInputStream\s*\(\s*(new\s+(java\s*\.\s*io\s*\.\s*)?ByteArrayInputStream\s*\(|[A-Za-z_]\w{0,40}\s*\)|request\s*\.\s*getInputStream)/
    $read = /\.\s*readObject\s*\(\s*\)/
    $in = /request\s*\.\s*(getParameter|getInputStream|getReader|getHeader)\s*\(/
    $dec = /decodeBuffer\s*\(|getDecoder\s*\(\s*\)\s*\.\s*decode\s*\(|decodeBase64\s*\(|parseBase64Binary\s*\(|getInputStream\s*\(/
  condition:
    filesize < 32KB and $ois and $read and $in and $dec
}

rule mamori_jsp_xmldecoder_process {
  meta:
    score = 85
    technique = "jsp-exec"
    description = "JSP building XMLDecoder input that makes a ProcessBuilder or Runtime from request text, then reading it (a command run through java.beans)"
  strings:
    $dec = /new\s+(java\s*\.\s*beans\s*\.\s*)?XMLDecoder\s*\(/
    $read = /\.\s*readObject\s*\(\s*\)/
    $cls = /java\.lang\.(ProcessBuilder|Runtime)/
    $in = /request\s*\.\s*(getParameter|getInputStream|getReader|getHeader)\s*\(/
  condition:
    $dec and $read and $cls and $in
}

rule mamori_webconfig_script_handler {
  meta:
    score = 85
    technique = "htaccess"
    description = "a web.config that makes IIS run .config files (web.config itself) as ASP or ASP.NET, with code in it: the configuration file is the shell"
  strings:
    // (a handler for *.config given to asp.dll or ASP.NET's ISAPI, or web.config taken out of the hidden segments)
    $h = /path\s*=\s*"\*\.config"[^>]{0,400}(asp\.dll|aspnet_isapi\.dll)/ nocase
    $seg = /<remove\s+segment\s*=\s*"web\.config"/ nocase
    // (the tag alone: a pattern reaching back from common words (Eval, Process) to a "<%" cost 0.4 s over
    // MediaWiki's 28 MB of JavaScript)
    $code = "<%"
  condition:
    ($h or $seg) and $code
}

rule mamori_aspx_socket_shell {
  meta:
    score = 90
    technique = "reverse-shell"
    description = "an ASP.NET page that connects a socket, reads commands from it and runs them with Process.Start, its output sent back (a reverse shell)"
  strings:
    $sock = /new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?(Socket|TcpClient)\s*\(/
    $conn = /\.\s*(Connect|BeginConnect|ConnectAsync)\s*\(/
    // (a TcpClient given its host and port connects as it is made: no Connect call; held-out set T, session 28)
    $made = /new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?TcpClient\s*\(\s*[^)\s]/
    // (and then the process is fed what comes in: not an admin page that runs ping and reads an SMTP banner, red team S28R-5)
    // (or its stdin held in a variable, or its stream given the socket's bytes: S29R-37, S29R-38)
    $feed = /\.\s*StandardInput\s*(\.\s*(WriteLine|Write)\s*\(|\.\s*BaseStream\b|;)/
    // (or a stream made on the socket, new NetworkStream(s): red team S28R-16)
    $recv = /\.\s*(Receive|GetStream)\s*\(|new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?NetworkStream\s*\(/
    // (a Process started by its static Start or its own: p.StartInfo.FileName = "cmd.exe"; p.Start(), session 27 set R)
    $proc = /Process\s*\.\s*Start\s*\(|\.\s*StartInfo\s*\.\s*FileName\s*=|new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?ProcessStartInfo\b/
    $out = /RedirectStandardOutput\s*=\s*true/ nocase
    // (a bind shell: a listener whose client is accepted, TcpListener and AcceptTcpClient, S28R-15; and a
    // process whose streams are redirected by any value, RedirectStandardInput = yes, S28R-17; both fed)
    $listen = /new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?TcpListener\s*\(|TcpListener\s*\.\s*Create\s*\(/
    // (or the listener's socket, l.Server.Accept(); or a raw socket bound, listening and accepting: S29R-39, S29R-40)
    $accept = /\.\s*(AcceptSocket|AcceptTcpClient|AcceptSocketAsync|AcceptTcpClientAsync)\s*\(|\.\s*Server\s*\.\s*Accept\s*\(/
    $rawlisten = /\.\s*Listen\s*\(\s*\d{0,4}\s*\)/
    $rawaccept = /\.\s*Accept\s*\(\s*\)/
    $redir = /RedirectStandard(Output|Input)\s*=\s*[A-EG-Za-eg-z_(!0-9]/
    // (and the process a shell: a DNS page that feeds nslookup and reads whois is not one, S29R-10)
    // (or named by its full path, or by ComSpec: red team S29W-20)
    $shell = /"(cmd|cmd\.exe|powershell|powershell\.exe|pwsh|pwsh\.exe|\/bin\/sh|\/bin\/bash|sh|bash)"|"[^"\n]{0,120}\\(cmd|powershell|pwsh)(\.exe)?"|GetEnvironmentVariable\s*\(\s*"ComSpec"|"%ComSpec%"/ nocase
    // (or each line read from the socket run as its own command, "/c " + line, and what it prints written
    // back: held-out set W, session 29)
    // (cmd's /c, /k or /r, given a variable by +, string.Format or an interpolated string: S29W-16, S29W-17)
    // (String.Concat("/c ", line), a quoted "/c \"" + line, PowerShell's "-c " + line: S29W-20)
    $percmd = /"\/[cCkKrR]\s*(\\")?"\s*\+\s*[A-Za-z_]\w{0,40}|"\/[cCkKrR]\s*(\\")?\{0\}|\$"\/[cCkKrR]\s*(\\")?\{[A-Za-z_]|String\s*\.\s*Concat\s*\(\s*"\/[cCkKrR]\s*(\\")?"\s*,\s*[A-Za-z_]|"-(c|command|EncodedCommand|e)\s+"\s*\+\s*[A-Za-z_]\w{0,40}/ nocase
    $readall = /StandardOutput\s*\.\s*(ReadToEnd(Async)?\s*\(|BaseStream\s*\.\s*CopyTo(Async)?\s*\()/
    // (or the output written at once, w.Write(p.StandardOutput.ReadToEnd()), or copied, CopyTo(ns): S29W-21)
    // (or through a variable, "" +, or line by line: S30B-11)
    $back = /\.\s*(Write|WriteLine|Send)\s*\(\s*("[^"\n]{0,20}"\s*\+\s*)?[A-Za-z_]\w{0,40}\s*([,)]|\.\s*(StandardOutput|ReadToEnd|ReadLine)\b)|\.\s*CopyTo(Async)?\s*\(\s*[A-Za-z_]\w{0,40}\s*\)/
    // (a process made inside the loop that reads the socket, in its head or in its body before the process, with
    // no block closed between: each line read is run, however the command is put together; not fixed checks
    // run first and their output sent, then acknowledgements read in a loop of their own, S30B-3; the loop as
    // for (;;), while (!r.EndOfStream), its condition over lines, S30B-10, S30B-12, S30B-18)
    $inloop = /\b(while|for)\s*\([^{}]{0,1500}\.\s*(Read|Receive|ReadLine|ReadAsync|ReadLineAsync)\s*\([^{}]{0,1500}\)\s*\{[^}]{0,2500}(Process\s*\.\s*Start\s*\(|StartInfo\s*\.\s*(FileName|Arguments)\s*=|new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?(ProcessStartInfo|Process)\b)|\b(while\s*\([^{}]{0,1500}\)|for\s*\([^{}]{0,1500}\)|do)\s*\{[^}]{0,1500}\.\s*(Read|Receive|ReadLine|ReadAsync|ReadLineAsync)\s*\([^}]{0,2000}(Process\s*\.\s*Start\s*\(|StartInfo\s*\.\s*(FileName|Arguments)\s*=|new\s+(System\s*\.\s*Diagnostics\s*\.\s*)?(ProcessStartInfo|Process)\b)/
    // (and what comes in on the socket read: a metrics pusher or a syslog sender only writes, S29W-5, S29W-6)
    // (the first form's process given what came in: its stdin fed, a "/c " + line, or Arguments set from a variable;
    // not an admin page that runs a fixed backup script and reads a syslog server's ack, red team S29W-6)
    $args = /\.\s*Arguments\s*=\s*[A-Za-z_]\w{0,40}\s*;|ProcessStartInfo\s*\(\s*"[^"\n]{1,80}"\s*,\s*[A-Za-z_]\w{0,40}\s*\)/
    // (and commands read in a loop, as a shell takes them: not one ack read after a fixed job's log is sent)
    $loop = /\b(while|for)\s*\([^\n]{0,160}\.\s*(Read|Receive|ReadLine|ReadAsync|ReadLineAsync)\s*\(|\bwhile\s*\(\s*(true|1|[A-Za-z_]\w{0,30}\s*\.\s*Connected)\s*\)/
  condition:
    // (the first form with a shell, and its loop after the socket is made: not a dashboard that pings each host of
    // a file and then reads one SMTP greeting, red team S30C-8, S30C-9)
    ((($sock and $conn) or ($made and $feed)) and $shell and $recv and $proc and $out and ($feed or $percmd or $args) and (for any i in (1..#loop) : (@loop[i] > @sock[1] or @loop[i] > @made[1]))) or
    ((($sock and $conn) or $made or ($listen and $accept) or ($sock and $rawlisten and $rawaccept)) and $recv and $proc and $redir and $feed and $shell) or
    ((($sock and $conn) or $made or ($listen and $accept)) and $recv and $inloop and $out and $shell and ($readall or $back) and (for any i in (1..#inloop) : (@inloop[i] > @sock[1] or @inloop[i] > @made[1] or @inloop[i] > @listen[1])))
}

rule mamori_jsp_attack_kit_class {
  meta:
    score = 85
    technique = "jsp-memshell"
    description = "JSP loading a class of a public attack kit (JNDI-Injection-Exploit's memory-shell templates, ysoserial's payloads)"
  strings:
    $kit = /import\s*=\s*"[^"\n]{0,300}(com\.feihong\.ldap|ysoserial\.payloads)|\b(com\.feihong\.ldap\.template|ysoserial\.payloads)\.|new\s+(Tomcat|Spring|Jetty|Resin|Weblogic|Jboss)MemshellTemplate\d{0,2}\s*\(/
  condition:
    $kit
}

rule mamori_aspx_request_socket_tunnel {
  meta:
    score = 80
    technique = "tunnel"
    description = "an ASP.NET page opening a TCP connection and pumping the request's body into it and its data into the response (suo5, Neo-reGeorg and kin: a tunnel into the inside)"
  strings:
    // (or a listener the other side connects to, reGeorg's LISTEN kin: held-out set T, session 28)
    // (TcpListener.Create(port) too: red team S28R-20)
    $sock = /new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?(Socket|TcpClient|TcpListener)\s*\(|TcpListener\s*\.\s*Create\s*\(/
    $conn = /\.\s*(Connect|BeginConnect|ConnectAsync|AcceptSocket|AcceptTcpClient)\s*\(/
    // (or the data sent as a form field's Base64: red team S28R-21)
    // (or an upload's stream: S29R-45)
    $rin = /Request\s*\.\s*(BinaryRead|InputStream|GetBufferlessInputStream)\b|Request\s*\.\s*Files\s*\[[^\]\n]{0,40}\]\s*\.\s*InputStream\b/
    // (where the socket is kept between requests, in Session or Application: a port checker that sends one
    // probe from a form field and shows the answer is not a tunnel, red team S29R-9)
    $rin2 = /${B64_OF_REQUEST}\b/
    $keep = /(Session|Application)\s*\[[^\]\n]{1,60}\]\s*=[^=]/
    $rout = /Response\s*\.\s*(OutputStream|BinaryWrite)\b/
    // (or the socket's data written back as text: Base64 (Neo-reGeorg's handlers, set T) or hex
    // (BitConverter.ToString, S28R-19), by Response.Write or Response.Output.Write (S28R-22))
    // (or byte by byte, b.ToString("x2"): S29R-46)
    $b64 = /ToBase64String\s*\(|BitConverter\s*\.\s*ToString\s*\(|\.\s*ToString\s*\(\s*"[xX]2"\s*\)/
    $wr = /Response\s*\.\s*(Output\s*\.\s*)?Write\s*\(/
    $st = /\.\s*GetStream\s*\(\s*\)|\.\s*(Send|Receive)\s*\(|new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?NetworkStream\s*\(/
  condition:
    $sock and $conn and ($rin or ($rin2 and $keep)) and $st and ($rout or ($b64 and $wr))
}

rule mamori_jsp_request_socket_tunnel {
  meta:
    score = 80
    technique = "tunnel"
    description = "JSP opening a TCP connection and pumping the request's body into it and its data into the response (suo5, Neo-reGeorg and kin: a tunnel into the inside)"
  strings:
    $sock = /new\s+(java\s*\.\s*net\s*\.\s*)?Socket\s*\(\s*\)|SocketChannel\s*\.\s*open\s*\(/
    $conn = /\.\s*connect\s*\(\s*new\s+(java\s*\.\s*net\s*\.\s*)?InetSocketAddress\s*\(/
    $rin = /\.\s*getInputStream\s*\(\s*\)/
    $rout = /\.\s*getOutputStream\s*\(\s*\)/
    $req = /(HttpServletRequest|request\s*\.\s*getInputStream\s*\()/
  condition:
    $sock and $conn and #rin >= 2 and #rout >= 2 and $req
}

rule mamori_jsp_encoded_page_dropper {
  meta:
    score = 85
    technique = "dropper"
    description = "JSP writing a page kept encoded in a literal (URL-encoded or Base64 that begins with <%) to a file named .jsp: a dropper"
  strings:
    $url = /URLDecoder\s*\.\s*decode\s*\(\s*"%3[cC]%25/
    $b64 = /(decode|decodeBuffer|parseBase64Binary)\s*\(\s*"PCU/
    $name = /"[^"\n]{0,200}\.jspx?"/
    $w = /new\s+(java\s*\.\s*io\s*\.\s*)?(FileOutputStream|FileWriter|PrintWriter|RandomAccessFile)\s*\(|Files\s*\.\s*write\s*\(/
  condition:
    ($url or $b64) and $name and $w
}

rule mamori_jsp_request_page_dropper {
  meta:
    score = 85
    technique = "dropper"
    description = "a small JSP writing what the request sends (decoded or not) to a new file named .jsp: a dropper that plants the next shell"
  strings:
    // (a new page's name made from a random or time value: not any "x.jsp" of the code, which a
    // redirect, a forward or a tag names; red team S28R-1 to S28R-3)
    $name = /(Math\s*\.\s*random|currentTimeMillis|nanoTime|UUID\s*\.\s*randomUUID|new\s+Random\b)[^;\n]{0,120}\+\s*"[^"\n]{0,40}\.jspx?"/
    // (or the .jsp named inside the call that makes the file or its path, new File(dir, "x.jsp"),
    // Paths.get(root, "x" + n + ".jsp"), part.write(root + "x.jsp"); or built by String.format or
    // concat: red team S28R-23, S28R-25, S28R-26, S28R-28 to S28R-30)
    // (a writer's own call: not new File(root, "index.jsp") asked its age, S29R-16; and not across || or &&, an
    // upload page's check that refuses .jsp names, S29R-15)
    $name2 = /(new\s+(java\s*\.\s*io\s*\.\s*)?(FileOutputStream|FileWriter|PrintWriter|RandomAccessFile)|Paths\s*\.\s*get|Path\s*\.\s*of|\.\s*write)\s*\([^;\n|&?]{0,200}"[^"\n]{0,40}\.jspx?"/
    // (or a StringBuilder's append(".jsp"): S29R-48)
    $name3 = /String\s*\.\s*format\s*\(\s*"[^"\n]{0,40}\.jspx?"|\.\s*(concat|append)\s*\(\s*"[^"\n]{0,20}\.jspx?"\s*\)/
    $w = /new\s+(java\s*\.\s*io\s*\.\s*)?(FileOutputStream|FileWriter|PrintWriter|RandomAccessFile)\s*\(|Files\s*\.\s*(write|writeString|copy|newOutputStream|newBufferedWriter)\s*\(|\.\s*getPart\s*\(/
    // (a header's value and an uploaded part too: S28R-28, S28R-31)
    $in = /request\s*\.\s*(getParameter|getInputStream|getReader|getHeader|getPart)\s*\(/
    $put = /\.\s*(write|print|println|append)\s*\(|Files\s*\.\s*(copy|writeString)\s*\(/
  condition:
    filesize < 4KB and any of ($name*) and $w and $in and $put
}

rule mamori_asp_execute_picked {
  meta:
    score = 80
    technique = "asp-eval"
    description = "classic ASP running, with Execute or Eval, a string put together from single characters picked out of another by number (d(6) & d(10) & ...): code hidden in a shuffled alphabet"
  strings:
    $x = /\b(Execute(Global)?|Eval)\b\s*\(?\s*[A-Za-z_]\w{0,20}\s*\(\s*\d{1,4}\s*\)(\s*[&+]\s*[A-Za-z_]\w{0,20}\s*\(\s*\d{1,4}\s*\)){5}/ nocase
  condition:
    $x
}

rule mamori_web_servu_privesc {
  meta:
    score = 80
    technique = "privilege-escalation"
    description = "a page driving Serv-U's local administration port (its default administrator and password, SITE MAINTENANCE, a new user with SITE EXEC): the Serv-U privilege escalation of the webshell kits"
  strings:
    $pass = "#l@$ak#.lk;0@P"
    $maint = "SITE MAINTENANCE" nocase
    $setuser = "-SETUSERSETUP" nocase
    $setdomain = "-SETDOMAIN" nocase
    $exec = /site\s+exec\s/ nocase
    $port = "43958"
    $admin = "LocalAdministrator"
    // (a page that talks to the port: not an article about Serv-U, nor a scanner's list of markers, red team S34A-11, -12)
    $net = /Microsoft\.XMLHTTP|MSXML2\.|WinHttp\.|\bfsockopen\s*\(|\bsocket_connect\s*\(|\bstream_socket_client\s*\(|new\s+(System\.Net\.Sockets\.)?TcpClient\b|new\s+(java\.net\.)?Socket\s*\(|Winsock/ nocase
  condition:
    filesize < 512KB and $net and 3 of ($pass, $maint, $setuser, $setdomain, $exec, $port, $admin)
}

rule mamori_aspx_sql_client_tiny {
  meta:
    score = 35
    technique = "db-client"
    description = "the whole of a small page is a database client of the request (the connection made with the request's connection string, the command with its text): a database shell, not an application's admin page"
  strings:
    // (the request's value itself, or a text box's, as the connection string and as the command: not a Request
    // somewhere near a connection, nor an allow-listed procedure's name, red team S34A-9, -10)
    $c = /\b(SqlConnection|OleDbConnection|OdbcConnection|MySqlConnection|NpgsqlConnection)\s*\(\s*(Request\s*(\.\s*(Form|QueryString|Item|Params)\s*)?[\[(]|[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*\))|\bConnectionString\s*=\s*(Request\s*(\.\s*(Form|QueryString|Item|Params)\s*)?[\[(]|[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*(;|\r?\n))/ nocase
    $q = /\b(SqlCommand|OleDbCommand|OdbcCommand|MySqlCommand|NpgsqlCommand)\s*\(\s*(Request\s*(\.\s*(Form|QueryString|Item|Params)\s*)?[\[(]|[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*[,)])|\bCommandText\s*=\s*(Request\s*(\.\s*(Form|QueryString|Item|Params)\s*)?[\[(]|[A-Za-z_]\w{0,40}\s*\.\s*Text(\s*\.\s*Trim\s*\(\s*\))?\s*(;|\r?\n))/ nocase
  condition:
    filesize < 4KB and $c and $q and mamori_aspx_sql_client_from_request
}

rule mamori_aspx_webservice_shell {
  meta:
    score = 80
    technique = "aspx-exec"
    description = "an ASP.NET web service (WebService directive, WebMethods) that lists the machine's drives, deletes or writes files and starts a program it is given or a command shell: a shell whose input is the methods' parameters, not Request"
  strings:
    $svc = /<%\s*@\s*WebService\b/ nocase
    $wm = /\[\s*(System\s*\.\s*Web\s*\.\s*Services\s*\.\s*)?WebMethod(Attribute)?\b|<\s*WebMethod(Attribute)?\b/ nocase
    // (a program named by a value, not a fixed one: a converter's soffice or a monitor's iisreset, red team S34A-1, -2)
    $prog = /\bProcessStartInfo\s*\(\s*[A-Za-z_]|\.\s*FileName\s*=\s*[A-Za-z_]\w{0,40}(\s*\.\s*\w{1,20}\s*\([^)\n]{0,20}\))?\s*;/ nocase
    $shell = /(ProcessStartInfo\s*\(|Process\s*\.\s*Start\s*\(|FileName\s*=)\s*@?"(cmd(\.exe)?|powershell(\.exe)?|\/bin\/(ba)?sh)"/ nocase
    $f1 = /Directory\s*\.\s*GetLogicalDrives|DriveInfo\s*\.\s*GetDrives|Environment\s*\.\s*GetLogicalDrives/ nocase
    $f2 = /\b(File|Directory)\s*\.\s*Delete\s*\(/ nocase
    $f3 = /\bFile\s*\.\s*(WriteAllBytes|WriteAllText|Create|OpenWrite)\s*\(/ nocase
  condition:
    $svc and $wm and ($prog or $shell) and $f1 and ($f2 or $f3)
}

rule mamori_asp_timestomp {
  meta:
    score = 80
    technique = "anti-forensics"
    description = "classic ASP setting files' modification dates through Shell.Application (ParseName(..).ModifyDate =): a page that backdates the files an intruder changed"
  strings:
    $sa = "Shell.Application" nocase
    $pn = /\.\s*ParseName\s*\(/ nocase
    // (the date the request gives, written out by the VBScript layer: not a gallery's EXIF date or a restore's
    // backup date, red team S34B-3)
    $md = /\.\s*ModifyDate\s*=\s*(Trim\s*\(\s*)?Request\s*(\.\s*(Form|QueryString|Item))?\s*\(/ nocase
  condition:
    filesize < 256KB and $sa and $pn and $md
}

rule mamori_aspx_upload_beside_itself {
  meta:
    score = 35
    technique = "uploader"
    description = "a small ASP.NET page storing an upload under the client's name in the page's own folder (the folder of Request.PhysicalPath, or the page folder MapPath gives): where a page the attacker sends is served and run"
  strings:
    $a = /(SaveAs|FileStream)\s*\([^;\n]{0,160}GetFileName\s*\(\s*[\w.\[\]]{1,60}\.\s*FileName\s*\)/ nocase
    $self = /FileInfo\s*\(\s*((Page|HttpContext\s*\.\s*Current)\s*\.\s*)?Request\s*\.\s*PhysicalPath\s*\)|GetDirectoryName\s*\(\s*((Page|HttpContext\s*\.\s*Current)\s*\.\s*)?Request\s*\.\s*PhysicalPath\s*\)|MapPath\s*\(\s*@?"\.\/?"\s*\)/ nocase
    // (not where the page checks what it was sent: an images-only album upload, red team S34B-5; nor the site's root,
    // MapPath("/"), S34B-4)
    $check = /GetExtension\s*\(|ContentType\s*\.\s*StartsWith\s*\(|\.\s*EndsWith\s*\(\s*"\.(jpe?g|png|gif|pdf|docx?)"/ nocase
  condition:
    filesize < 16KB and $a and $self and not $check
}

rule mamori_jsp_websocket_memshell {
  meta:
    score = 85
    technique = "jsp-memshell"
    description = "JSP registering a WebSocket endpoint at run time (ServerContainer.addEndpoint of a ServerEndpointConfig it builds): a memory shell or tunnel that outlives the page"
  strings:
    // (at a path the code does not fix, with the request read: not an admin page adding "/ws/chat", red team S34B-6)
    $cfg = /ServerEndpointConfig\s*\.\s*Builder\s*\.\s*create\s*\(\s*[\w.]{1,80}\s*\.\s*class\s*,\s*[^"\s)]/
    $req = /request\s*\.\s*(getParameter|getHeader|getRequestURI|getServletPath|getPathInfo)\s*\(/
    $add = /\.\s*addEndpoint\s*\(/
    $ctr = /ServerContainer\b/
  condition:
    $cfg and $add and $ctr and $req
}

rule mamori_aspx_packet_sniffer {
  meta:
    score = 80
    technique = "recon"
    description = "an ASP.NET page opening a raw socket that receives every packet of the interface (SocketType.Raw with IOControlCode.ReceiveAll): a sniffer of the server's traffic, its passwords among it"
  strings:
    $raw = /SocketType\s*\.\s*Raw\b/ nocase
    // (the control call made, not a constant declared: red team S34B-7)
    $all = /IOControl\s*\(\s*(IOControlCode\s*\.\s*ReceiveAll\b|SIO_RCVALL\b|(unchecked\s*\(\s*)?\(\s*int\s*\)\s*0x98000001|0x98000001|-1744830463)/ nocase
  condition:
    $raw and $all
}

rule mamori_jsp_logger_writer {
  meta:
    score = 85
    technique = "file-writer"
    description = "JSP opening a java.util.logging FileHandler on a path the request names and logging the request's text into it: a logger used to drop a file (the next page) where the request says"
  strings:
    $fh = /new\s+(java\s*\.\s*util\s*\.\s*logging\s*\.\s*)?FileHandler\s*\([^;]{0,200}request\s*\.\s*getParameter\s*\(/
    $log = /\.\s*(info|warning|severe|fine|finer|finest|config|log)\s*\([^;]{0,100}request\s*\.\s*getParameter\s*\(/
  condition:
    $fh and $log
}

rule mamori_jsp_boot_shell_file_manager {
  meta:
    score = 80
    technique = "file-manager"
    description = "a JSP file manager of the kind its authors call Shell (a class Shell serving the page): the server's disk from the process's directory, any path the request gives listed, read and deleted recursively, behind a login of its own"
  strings:
    $shell = /\bclass\s+Shell\b/
    $ud = /System\s*\.\s*getProperty\s*\(\s*"user\.dir"\s*[,)]/
    $lf = /\.\s*listFiles\s*\(\s*\)/
    $del = /\.\s*delete\s*\(\s*\)/
    $path = /getParam(eter)?\s*\(\s*"path"/
  condition:
    all of them
}

rule mamori_aspx_webadmin2y_loader {
  meta:
    score = 80
    technique = "known-webshell"
    description = "an ASP.NET page that only makes an object of WebAdmin2Y, a webshell compiled into a DLL of the site's bin folder and started by such a page with its key"
  strings:
    $a = /new\s+WebAdmin2Y\s*\.\s*\w{1,40}\s*\.\s*\w{1,40}\s*\(\s*"[0-9a-fA-F]{8,64}"\s*\)/
  condition:
    $a
}
rule mamori_js_card_skimmer {
  meta:
    score = 75
    technique = "skimmer"
    description = "a script gathering every field of a page's forms, a card's number or code among them, and sending them encoded to another host (a Magecart-style card skimmer in a shop's pages)"
  strings:
    // (session 43, written from the published shapes: every input, select and textarea read on a click or a submit,
    // the card's fields looked for, the lot sent through an image's address, a beacon or a WebSocket, or posted from a
    // checkout page. All of it within 3 KB of the gathering: a skimmer is compact even appended to a library, where a
    // payment SDK, an analytics or session-replay bundle holds card words in its redaction lists megabytes from any
    // selector, red team S43C-1 to -5. The selector is every field, not input[type=radio][name=..] nor form.elements)
    $all = /querySelectorAll\s*\(\s*["'](form\s+)?(input|select|textarea)(\s*,\s*(form\s+)?(input|select|textarea))*["']\s*\)|getElementsByTagName\s*\(\s*["'](input|select|textarea)["']\s*\)/
    $card = /cc_?num|card_?num|cardnumber|cc_?cid|\bcvv2?\b|\bcvc2?\b|card_?code|security_?code|credit_?card/ nocase
    $enc = /\bbtoa\s*\(|\batob\s*\(|JSON\.stringify\s*\(|encodeURIComponent\s*\(|String\.fromCharCode\s*\(/
    $ext = /["'](https?:)?\/\/[A-Za-z0-9-]{1,63}\.[A-Za-z0-9.-]{2,200}[\/?:"']|["']wss?:\/\/|\batob\s*\(\s*["']aHR0c/
    $img = /new\s+Image\s*\(|sendBeacon\s*\(|new\s+WebSocket\s*\(/
    $xhr = /XMLHttpRequest|\bfetch\s*\(|\$\.(ajax|post)\s*\(/
    $checkout = /checkout|onepage|onestepcheckout|firecheckout/ nocase
  condition:
    filesize < 16MB and
    for any i in (1..#all) : (
      $card in (@all[i] - 3000..@all[i] + 3000) and $enc in (@all[i] - 3000..@all[i] + 3000) and
      $ext in (@all[i] - 3000..@all[i] + 3000) and
      ($img in (@all[i] - 3000..@all[i] + 3000) or ($xhr in (@all[i] - 3000..@all[i] + 3000) and $checkout in (@all[i] - 3000..@all[i] + 3000)))
    )
}
`;

